import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { buildImage } from './images'
import { run } from './run'

export const PREFIX = `berth-compat-${process.pid}`
export const MiB = 1024 * 1024
/** Local image references and ids made here, removed at the end. */
export const made = new Set<string>()

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function build(name: string, options: { layers: number; layerBytes?: number; message: string }): Promise<string> {
  const tag = await buildImage(`${PREFIX}/${name}:src`, options)
  made.add(tag)
  return tag
}

export async function imageId(ref: string): Promise<string> {
  const id = (await run('docker', ['inspect', '--format', '{{.Id}}', ref])).trim()
  made.add(id)
  return id
}

/** Tags `local` as `target`, pushes it, returns the manifest digest docker reports. */
export async function dockerPush(local: string, target: string): Promise<string> {
  await run('docker', ['tag', local, target])
  made.add(target)
  const out = await run('docker', ['push', target])
  const m = /digest: (sha256:[a-f0-9]{64})/.exec(out)
  if (!m) throw new Error(`docker push ${target} printed no digest:\n${out}`)
  return m[1]
}

/** Removes images from the engine (every tag of an id), so the next pull really downloads. */
export async function forget(...refs: string[]): Promise<void> {
  for (const ref of refs) await run('docker', ['rmi', '-f', ref]).catch(() => {})
}

export async function pullAndRun(ref: string): Promise<string> {
  await run('docker', ['pull', '-q', ref])
  made.add(ref)
  return (await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()
}

/** Polls `check` every 50 ms; resolves with the milliseconds it took to hold, or throws after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now()
  for (;;) {
    if (await check()) return performance.now() - started
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

/** Keeps calling `fn` (e.g. a listing, so Berth's cache stays freshly filled) until stopped. */
export function keepCalling(fn: () => Promise<unknown>): { stop: () => Promise<void> } {
  let going = true
  const loop = (async () => {
    while (going) {
      await fn()
      await sleep(100)
    }
  })()
  return {
    stop: async () => {
      going = false
      await loop
    }
  }
}

export const v2Of = (dataDir: string) => join(dataDir, 'docker', 'registry', 'v2')

export async function ls(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort()
}

/** Bytes in every `_uploads/<uuid>/data` of a repository. */
export async function uploadBytes(dataDir: string, name: string): Promise<number> {
  const dir = join(v2Of(dataDir), 'repositories', name, '_uploads')
  let total = 0
  for (const uuid of await ls(dir)) total += (await stat(join(dir, uuid, 'data')).catch(() => ({ size: 0 }))).size
  return total
}
