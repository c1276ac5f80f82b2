import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { dispatch } from '../../src/main/service/dispatch'
import { createService } from '../../src/main/service/service'
import type { ApiInput, ApiOutput, EventName, EventPayload, MethodName } from '../../src/shared/contract'
import type { Transfer } from '../../src/shared/model/docker'
import { tempDir } from './berth'
import { freePort } from './distribution'
import { BASE_IMAGE, ensureBaseImage } from './images'
import { run } from './run'

// The service behind the contract for integration tests: every call goes through dispatch(), so
// inputs are validated exactly as over IPC and HTTP, and every event is recorded.

export type ErrorData = { code: string; message: string }
type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorData }
type Seen = { event: EventName; payload: unknown }

/** A service on a free port and a fresh data folder, with every event it emits recorded. */
export async function startService(options: { discovery?: Parameters<typeof createService>[0]['discovery']; startRegistry?: boolean } = {}) {
  const dataDir = await tempDir('berth-svc-')
  const service = createService({
    settingsFile: null,
    defaults: { port: await freePort(), host: '127.0.0.1', dataDir, startOnLaunch: false, startAtLogin: false },
    discovery: options.discovery
  })
  const seen: Seen[] = []
  service.bus.subscribe((event, payload) => seen.push({ event, payload }))
  await service.init({ startRegistry: options.startRegistry ?? true })

  async function call<M extends MethodName>(method: M, input?: ApiInput<M>): Promise<ApiOutput<M>> {
    const r = (await dispatch(service.api, method, input)) as Envelope<ApiOutput<M>>
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
    return r.result
  }
  async function fail(method: MethodName, input?: unknown): Promise<ErrorData> {
    const r = (await dispatch(service.api, method, input)) as Envelope<unknown>
    if (r.ok) throw new Error(`${method} ${JSON.stringify(input)} should have failed but answered ${JSON.stringify(r.result).slice(0, 300)}`)
    return r.error
  }
  /** Where the event record is now: pass it to events() to see only what came after. */
  function mark(): number {
    return seen.length
  }
  function events<E extends EventName>(name: E, since = 0): EventPayload<E>[] {
    return seen.slice(since).filter((e) => e.event === name).map((e) => e.payload as EventPayload<E>)
  }
  /** Every transfer.progress event of one transfer, in order. */
  function progress(id: string): Transfer[] {
    return events('transfer.progress').filter((t) => t.id === id)
  }
  /** Waits for the transfer's final event (done, error or cancelled). */
  async function finished(id: string, timeout = 150_000): Promise<Transfer> {
    await expect.poll(() => progress(id).at(-1)?.state, { timeout, interval: 100 }).not.toBe('running')
    return progress(id).at(-1)!
  }
  return { service, dataDir, seen, call, fail, mark, events, progress, finished }
}

/** Image facts straight from the engine, to compare the service's answers with. */
export async function inspectImage(ref: string): Promise<{ id: string; layers: string[]; cmd: string[] | null; env: string[] | null }> {
  const [info] = JSON.parse(await run('docker', ['image', 'inspect', ref])) as { Id: string; RootFS: { Layers: string[] }; Config: { Cmd: string[] | null; Env: string[] | null } }[]
  return { id: info.Id, layers: info.RootFS.Layers, cmd: info.Config.Cmd, env: info.Config.Env }
}

export async function imageExists(ref: string): Promise<boolean> {
  return (await run('docker', ['images', '-q', ref])).trim() !== ''
}

/** An image whose CMD keeps running (for docker.run): the base image with `sleep 300` (through busybox: older base images lack the applet link). */
export async function buildSleeper(tag: string): Promise<string> {
  await ensureBaseImage()
  const dir = await mkdtemp(join(tmpdir(), 'berth-sleeper-'))
  await writeFile(join(dir, 'Dockerfile'), `FROM ${BASE_IMAGE}\nCMD ["/bin/busybox", "sleep", "300"]\n`)
  await run('docker', ['build', '-q', '--network', 'none', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } })
  await rm(dir, { recursive: true, force: true })
  return tag
}
