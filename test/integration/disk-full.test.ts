import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BerthError } from '../../src/shared/errors'
import { importArchive } from '../../src/main/storage/archive'
import { paths } from '../../src/main/storage'
import { startBerth, type RunningBerth } from '../helpers/berth'
import { fsck, repositoryNames, strayFiles } from '../helpers/fsck'
import { rawExchange, type RawAnswer } from '../helpers/raw-http'
import { tinyOciLayout, writeTar } from '../helpers/archives'
import { skipUnless } from '../helpers/require'

// A full disk, for real: a 24 MiB tmpfs (mounting one needs root; CI runs as root) under the data
// folder. Every write path meets ENOSPC — monolithic, chunked and streamed uploads, manifests and
// imports — and must answer 507 with the spec's JSON error and advice, keep nothing half-written
// (a session keeps exactly what it had acknowledged), and leave the registry serving.

const MIB = 2 ** 20
const isRoot = process.getuid?.() === 0
const NEEDS = 'root, to mount a 24 MiB tmpfs (CI runs as root)'
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

let mount: string | null = null
let b: RunningBerth | null = null

beforeAll(async () => {
  if (!isRoot) return
  const dir = await mkdtemp(join(tmpdir(), 'berth-tmpfs-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir])
  mount = dir
})

afterEach(async () => {
  await b?.close()
  b = null
  if (mount) for (const e of await readdir(mount)) await rm(join(mount, e), { recursive: true, force: true })
})

afterAll(async () => {
  if (!mount) return
  // Unmounted whatever happened above (lazily, should a file still be open).
  execFileSync('umount', ['-l', mount])
  await rmdir(mount)
})

async function registry(): Promise<RunningBerth> {
  b = await startBerth({ dataDir: join(mount!, 'data') })
  return b
}

function send(port: number, method: string, path: string, body?: Buffer, options: { chunked?: boolean; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  return rawExchange(port, { method, path, body, chunked: options.chunked, headers: { 'Content-Type': 'application/octet-stream', ...options.headers } }) as Promise<RawAnswer>
}

/** The 507 every disk-full refusal is: the spec's JSON body, code UNKNOWN, the advice naming the volume. */
function expectDiskFull(a: RawAnswer): void {
  expect(a.status, a.body.toString()).toBe(507)
  const body = JSON.parse(a.body.toString()) as { errors: { code: string; message: string; detail: { volume: string; freeBytes: number } }[] }
  expect(body.errors[0].code).toBe('UNKNOWN')
  expect(body.errors[0].message).toMatch(new RegExp(`^the registry's disk is full: [\\d.]+ MB free on ${mount}.*bigger disk`))
  expect(body.errors[0].detail.volume).toBe(mount)
}

async function uploadsOf(r: RunningBerth, name: string): Promise<string[]> {
  return readdir(paths.uploadsDir(r.storage.layout, name)).catch(() => [])
}

/** After each fault: the registry answers, the folder is sound, nothing stray is left. */
async function healthy(r: RunningBerth): Promise<void> {
  expect((await send(r.port, 'GET', '/v2/')).status).toBe(200)
  expect(await fsck(r.dataDir, { tempFiles: 'forbid' })).toEqual([])
  expect(await strayFiles(r.dataDir)).toEqual([])
}

describe('a full disk (24 MiB tmpfs)', () => {
  it('a monolithic upload larger than the disk is refused before a byte is read', async (ctx) => {
    skipUnless(ctx, mount !== null, NEEDS)
    const r = await registry()
    const blob = randomBytes(30 * MIB)
    const a = await send(r.port, 'POST', `/v2/full/mono/blobs/uploads/?digest=${sha256(blob)}`, blob)
    expectDiskFull(a)
    expect(JSON.parse(a.body.toString()).errors[0].message).toMatch(/this upload needs 31 MB/)
    expect(await uploadsOf(r, 'full/mono')).toEqual([])
    await healthy(r)
  })

  it('monolithic and streamed (chunked) uploads that fill the disk mid-way: 507, and no _uploads/<id> is left', async (ctx) => {
    skipUnless(ctx, mount !== null, NEEDS)
    const r = await registry()
    const blob = randomBytes(30 * MIB)
    expectDiskFull(await send(r.port, 'POST', `/v2/full/stream/blobs/uploads/?digest=${sha256(blob)}`, blob, { chunked: true }))
    expect(await uploadsOf(r, 'full/stream')).toEqual([])
    // The space is back at once: a blob that fits is stored.
    const small = randomBytes(2 * MIB)
    expect((await send(r.port, 'POST', `/v2/full/stream/blobs/uploads/?digest=${sha256(small)}`, small, { chunked: true })).status).toBe(201)
    expect(await r.storage.disk.state()).toMatchObject({ level: 'full', volume: mount })
    await healthy(r)
  })

  it('a chunked session keeps exactly what it had acknowledged when a PATCH (or the closing PUT) fills the disk, and can still finish', async (ctx) => {
    skipUnless(ctx, mount !== null, NEEDS)
    const r = await registry()
    const started = await send(r.port, 'POST', '/v2/full/chunks/blobs/uploads/')
    expect(started.status).toBe(202)
    const location = started.headers.location
    const first = randomBytes(MIB)
    const patched = await send(r.port, 'PATCH', location, first, { headers: { 'Content-Range': `0-${MIB - 1}` } })
    expect(patched.status).toBe(202)
    expect(patched.headers.range).toBe(`0-${MIB - 1}`)
    // Streamed without a length (so no refusal up front): the disk fills under it.
    expectDiskFull(await send(r.port, 'PATCH', location, randomBytes(30 * MIB), { chunked: true }))
    const status = await send(r.port, 'GET', location)
    expect(status.status).toBe(204)
    expect(status.headers.range).toBe(`0-${MIB - 1}`)
    const [id] = await uploadsOf(r, 'full/chunks')
    expect((await stat(join(paths.uploadDir(r.storage.layout, 'full/chunks', id), 'data'))).size).toBe(MIB)
    // The closing PUT with a body too big for the disk: the same.
    const rest = randomBytes(MIB)
    const total = Buffer.concat([first, rest])
    expectDiskFull(await send(r.port, 'PUT', `${location}?digest=${sha256(total)}`, randomBytes(30 * MIB), { chunked: true }))
    expect((await send(r.port, 'GET', location)).headers.range).toBe(`0-${MIB - 1}`)
    // The session goes on from what it had: the rest, then the digest of the whole.
    expect((await send(r.port, 'PATCH', location, rest, { headers: { 'Content-Range': `${MIB}-${2 * MIB - 1}` } })).status).toBe(202)
    const done = await send(r.port, 'PUT', `${location}?digest=${sha256(total)}`)
    expect(done.status).toBe(201)
    const pulled = await send(r.port, 'GET', `/v2/full/chunks/blobs/${sha256(total)}`)
    expect(pulled.body.equals(total)).toBe(true)
    expect(await uploadsOf(r, 'full/chunks')).toEqual([])
    await healthy(r)
  })

  it('a manifest push onto a full disk is 507 with no temporary file left; it goes through once there is room', async (ctx) => {
    skipUnless(ctx, mount !== null, NEEDS)
    const r = await registry()
    const config = Buffer.from('{}')
    expect((await send(r.port, 'POST', `/v2/full/man/blobs/uploads/?digest=${sha256(config)}`, config)).status).toBe(201)
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: 2 },
      layers: []
    }))
    // Fill the disk to the last page with a file of our own.
    const filler = join(mount!, 'filler')
    await writeFile(filler, Buffer.alloc(0))
    try {
      execFileSync('sh', ['-c', `cat /dev/zero > ${filler}`], { stdio: 'ignore' })
    } catch {
      // cat stops at ENOSPC: that is the point.
    }
    const put = () => send(r.port, 'PUT', '/v2/full/man/manifests/v1', manifest, { headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } })
    expectDiskFull(await put())
    expect(await strayFiles(r.dataDir)).toEqual([])
    expect((await send(r.port, 'GET', '/v2/full/man/manifests/v1')).status).toBe(404)
    await rm(filler)
    expect((await put()).status).toBe(201)
    await healthy(r)
  })

  it('an import that fills the disk is DISK_FULL with advice, and leaves no import area behind', async (ctx) => {
    skipUnless(ctx, mount !== null, NEEDS)
    const r = await registry()
    const archive = join(await mkdtemp(join(tmpdir(), 'berth-import-')), 'big.tar')
    await writeTar(archive, tinyOciLayout('big:1', { layer: randomBytes(30 * MIB) }))
    try {
      const err = await importArchive(r.storage, { file: archive }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(BerthError)
      expect(err).toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(new RegExp(`filled up during the import .*MB free on ${mount}.*then import again`)) })
      expect(await repositoryNames(r.storage.layout.v2)).toEqual([])
      expect((await send(r.port, 'GET', '/v2/_catalog')).body.toString()).toBe('{"repositories":[]}')
      await healthy(r)
    } finally {
      await rm(join(archive, '..'), { recursive: true, force: true })
    }
  })
})
