import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rename, rm, rmdir, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { spawnServe, type ServeProcess } from '../helpers/berth'
import { rawExchange, type RawAnswer } from '../helpers/raw-http'
import { serveApi } from '../helpers/serve-api'
import { skipUnless } from '../helpers/require'

// `berth serve` as a real process against the faults that used to end it, and the data folder
// moved away and back while it serves. A crash ends the process, so each test asks whether it is
// still there and still answers.

const MIB = 2 ** 20
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

let serve: ServeProcess | null = null
const folders: string[] = []
let mount: string | null = null

afterEach(async () => {
  if (serve && serve.proc.exitCode === null) {
    serve.proc.kill('SIGTERM')
    await serve.exited
  }
  serve = null
  for (const f of folders.splice(0)) await rm(f, { recursive: true, force: true })
})

afterAll(async () => {
  if (mount) await rmdir(mount)
})

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-serve-faults-'))
  folders.push(dir)
  return dir
}

const send = (method: string, path: string, body?: Buffer, options: { chunked?: boolean; headers?: Record<string, string> } = {}) =>
  rawExchange(serve!.port, { method, path, body, chunked: options.chunked, headers: options.headers }) as Promise<RawAnswer>

/** The process is alive and answers GET /v2/. */
async function stillServing(): Promise<void> {
  expect(serve!.proc.exitCode, serve!.stderr()).toBeNull()
  expect(serve!.proc.signalCode).toBeNull()
  const ping = await send('GET', '/v2/')
  expect(ping.status).toBe(200)
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('berth serve survives what used to kill it', () => {
  it('a chunked manifest PUT over 4 MiB: a 413, and the process serves on (it used to exit on a TypeError in isClientGone)', async () => {
    serve = await spawnServe(['--data', await folder(), '--no-ui'])
    for (let i = 0; i < 3; i++) {
      const a = await send('PUT', '/v2/big/manifest/manifests/v1', randomBytes(6 * MIB), { chunked: true, headers: { 'Content-Type': OCI_MANIFEST } }).catch(() => null)
      // The answer comes before the rest of the body is read; a client may also meet a reset, but never a dead server.
      if (a) {
        expect(a.status).toBe(413)
        expect(JSON.parse(a.body.toString()).errors[0].code).toBe('MANIFEST_INVALID')
      }
      await stillServing()
    }
  })

  it('a full disk under a monolithic and a chunked upload: 507, the process serves on, and registry.status says the disk is full', async (ctx) => {
    skipUnless(ctx, process.getuid?.() === 0, 'root, to mount a 24 MiB tmpfs (CI runs as root)')
    mount ??= await mkdtemp(join(tmpdir(), 'berth-tmpfs-serve-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount])
    try {
      serve = await spawnServe(['--data', join(mount, 'data')])
      const api = await serveApi(serve)
      const blob = randomBytes(30 * MIB)
      expect((await send('POST', `/v2/full/a/blobs/uploads/?digest=${sha256(blob)}`, blob, { chunked: true })).status).toBe(507)
      await stillServing()
      const started = await send('POST', '/v2/full/a/blobs/uploads/')
      expect((await send('PATCH', started.headers.location, blob, { chunked: true })).status).toBe(507)
      await stillServing()
      type Status = { state: string; disk?: { level: string; volume: string } }
      await until('registry.status reports the disk full', async () => (await api.call<Status>('registry.status')).disk?.level === 'full')
      const status = await api.call<Status>('registry.status')
      expect(status).toMatchObject({ state: 'running', disk: { level: 'full', volume: mount } })
      expect(status.disk).toMatchObject({ freeBytes: expect.any(Number), totalBytes: 24 * MIB })
      serve.proc.kill('SIGTERM')
      await serve.exited
    } finally {
      // Unmounted whatever happened (lazily, should the process still hold a file).
      execFileSync('umount', ['-l', mount])
    }
  })
})

describe('the data folder moved away and back while serving', () => {
  it('answers 503 and says why in registry.status, never grows an empty tree, and serves the folder again once it is back', async () => {
    const parent = await folder()
    const data = join(parent, 'data')
    serve = await spawnServe(['--data', data])
    const api = await serveApi(serve)
    const config = Buffer.from('{}')
    expect((await send('POST', `/v2/moved/app/blobs/uploads/?digest=${sha256(config)}`, config)).status).toBe(201)
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: 2 }, layers: [] }))
    expect((await send('PUT', '/v2/moved/app/manifests/v1', manifest, { headers: { 'Content-Type': OCI_MANIFEST } })).status).toBe(201)

    await rename(data, join(parent, 'moved-away'))
    // A write looks at once; reads within the watch's 2 s.
    const push = await send('POST', '/v2/moved/app/blobs/uploads/')
    expect(push.status).toBe(503)
    expect(JSON.parse(push.body.toString()).errors[0]).toMatchObject({ code: 'UNKNOWN', message: expect.stringContaining(`${data} is gone`) })
    expect(push.headers['retry-after']).toBe('10')
    await until('GET /v2/ answers 503', async () => (await send('GET', '/v2/')).status === 503)
    expect((await send('GET', '/v2/moved/app/manifests/v1')).status).toBe(503)
    const status = await api.call<{ state: string; error: { code: string; message: string } | null }>('registry.status')
    expect(status.state).toBe('error')
    expect(status.error).toMatchObject({ code: 'FOLDER_GONE', message: expect.stringMatching(/put it back .* serves it again/) })
    // Nothing brought the folder back empty (not the pushes, not the access log of every request).
    await expect(stat(data)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(serve.proc.exitCode).toBeNull()

    await rename(join(parent, 'moved-away'), data)
    await until('GET /v2/ answers 200 again', async () => (await send('GET', '/v2/')).status === 200)
    const pulled = await send('GET', '/v2/moved/app/manifests/v1', undefined, { headers: { Accept: OCI_MANIFEST } })
    expect(pulled.status).toBe(200)
    expect(pulled.headers['docker-content-digest']).toBe(sha256(manifest))
    expect((await api.call<{ state: string; error: unknown }>('registry.status'))).toMatchObject({ state: 'running', error: null })
    expect((await send('POST', '/v2/moved/app/blobs/uploads/')).status).toBe(202)
  })
})
