import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRegistryServer, type RegistryServer } from '../../src/main/registry/server'
import { openStorage, type Storage } from '../../src/main/storage'

export async function tempDir(prefix = 'berth-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

/** Real time plus an offset that tests move forward: the blob guard's clock seam. */
export interface TestClock {
  (): number
  advance(ms: number): void
}

export function testClock(): TestClock {
  let offset = 0
  const clock = (() => Date.now() + offset) as TestClock
  clock.advance = (ms) => {
    offset += ms
  }
  return clock
}

export interface RunningBerth {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** `localhost:<port>`, what docker/skopeo/podman are given (loopback is trusted over plain HTTP). */
  host: string
  port: number
  dataDir: string
  storage: Storage
  registry: RegistryServer
  /** The storage's clock: `advance` makes every earlier touch look old (as if the pushes were long ago). */
  clock: TestClock
  close(): Promise<void>
}

/** Berth's registry in this process, on a free port. */
export async function startBerth(options: { dataDir?: string; catalogMaxAgeMs?: number } = {}): Promise<RunningBerth> {
  const dataDir = options.dataDir ?? (await tempDir())
  const clock = testClock()
  const storage = await openStorage(dataDir, { catalogMaxAgeMs: options.catalogMaxAgeMs, clock })
  const registry = createRegistryServer({ storage, purgeIntervalMs: 0 })
  const { port } = await registry.listen(0, '127.0.0.1')
  return {
    url: `http://127.0.0.1:${port}`,
    host: `localhost:${port}`,
    port,
    dataDir,
    storage,
    registry,
    clock,
    close: () => registry.close(1000)
  }
}

export interface ServeProcess {
  proc: ChildProcess
  port: number
  url: string
  host: string
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit code. */
  exited: Promise<number | null>
}

export const BERTH_BIN = join(import.meta.dirname, '..', '..', 'bin', 'berth.js')

/** `berth serve` as its own process (needs the build; global setup makes it). Resolves once it prints its address. */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BERTH_BIN, 'serve', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)))
    proc.stdout!.on('data', (d) => {
      out += d
      const m = /listening on https?:\/\/([^:]+|\[[^\]]+\]):(\d+) /.exec(out)
      if (m) {
        const port = Number(m[2])
        resolve({ proc, port, url: `http://127.0.0.1:${port}`, host: `localhost:${port}`, stdout: () => out, stderr: () => err, exited })
      }
    })
    proc.stderr!.on('data', (d) => (err += d))
    void exited.then((code) => reject(new Error(`berth serve exited (${code}) before listening: ${err}`)))
  })
}

export interface BerthRun {
  code: number | null
  stdout: string
  stderr: string
}

/** `node bin/berth.js …` with `env`; `onSpawn` gets the process (to kill it mid-way). */
export function berth(args: string[], env: NodeJS.ProcessEnv = process.env, onSpawn?: (p: ChildProcess) => void): Promise<BerthRun> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BERTH_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (d) => (stdout += d))
    proc.stderr.on('data', (d) => (stderr += d))
    onSpawn?.(proc)
    proc.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
