import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import { BERTH_BIN, tempDir } from '../helpers/berth'

export interface ServeApp {
  proc: ChildProcess
  /** The registry's port (it may change: the registry restarts on any free port, serve passes --port 0). */
  registryPort: number
  /** `http://127.0.0.1:<ui port>/?token=…`: what a user opens. */
  appUrl: string
  stdout: () => string
  stderr: () => string
  close(): Promise<void>
}

/**
 * `berth serve` with its app: resolves once it printed both the registry line and the `Berth app on`
 * line (test/helpers/berth.ts's spawnServe stops at the first). `hideDocker` runs it in a private
 * mount namespace where /var/run is empty, so it finds no Docker engine (needs root and unshare);
 * `netns` runs it inside that network namespace.
 */
export function spawnServeApp(args: string[], options: { hideDocker?: boolean; netns?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ServeApp> {
  return new Promise((resolve, reject) => {
    const serveArgs = [BERTH_BIN, 'serve', '--port', '0', '--ui-port', '0', '--log-level', 'warn', ...args]
    let proc: ChildProcess
    if (options.hideDocker) {
      const empty = `${process.env.TMPDIR ?? '/tmp'}/berth-e2e-no-docker`
      const quoted = [process.execPath, ...serveArgs].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
      proc = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mkdir -p ${empty} && mount --bind ${empty} /var/run && exec ${quoted}`], { stdio: ['ignore', 'pipe', 'pipe'] })
    } else if (options.netns) {
      // A network of its own (test/helpers/netns.ts): the Docker engine cannot reach its localhost.
      proc = spawn('ip', ['netns', 'exec', options.netns, process.execPath, ...serveArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env })
    } else {
      proc = spawn(process.execPath, serveArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env })
    }
    let out = ''
    let err = ''
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)))
    proc.stdout!.on('data', (d) => {
      out += d
      const registry = /listening on http:\/\/[^ ]+:(\d+) /.exec(out)
      const app = /Berth app on (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out)
      if (registry && app)
        resolve({
          proc,
          registryPort: Number(registry[1]),
          appUrl: app[1],
          stdout: () => out,
          stderr: () => err,
          async close() {
            if (proc.exitCode === null) proc.kill('SIGTERM')
            const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
            await exited
            clearTimeout(timer)
          }
        })
    })
    proc.stderr!.on('data', (d) => (err += d))
    void exited.then((code) => reject(new Error(`berth serve exited (${code}) before printing its app address: ${err}`)))
  })
}

/** Whether this machine lets us hide /var/run in a private mount namespace. */
export async function canHideDocker(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false
  const dir = await tempDir('berth-unshare-')
  await mkdir(dir, { recursive: true })
  return new Promise<boolean>((resolve) => {
    const p = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind ${dir} /var/run && test ! -e /var/run/docker.sock`], { stdio: 'ignore' })
    p.on('error', () => resolve(false))
    p.on('exit', (code) => resolve(code === 0))
  }).finally(() => rm(dir, { recursive: true, force: true }))
}
