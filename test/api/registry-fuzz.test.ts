import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../src/main/registry/errcode'
import { paths } from '../../src/main/storage'
import { verifyStorage } from '../../src/main/storage/manage'
import { isUuid } from '../../src/main/storage/core/uploads'
import { startBerth, type RunningBerth } from '../helpers/berth'
import { fsck, repositoryNames, strayFiles } from '../helpers/fsck'
import { rawExchange, type RawAnswer, type RawRequest } from '../helpers/raw-http'

// Property-based fuzz of the registry port, in process: methods, paths, names, tags, digests,
// headers, bodies by length and chunked, and hang-ups part-way. Every answer is a success or the
// spec's JSON error with a code from its table and a status that fits the code; never a 500; the
// registry answers GET /v2/ after every case; nothing reaches the process (no unhandled rejection);
// and afterwards the folder verifies, holds no stray file and no upload but open sessions.

/** The code field MUST be one of these (distribution-spec, Error Codes); TAG_INVALID is schema1's legacy code. */
const SPEC_CODES = new Set(['BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN', 'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'UNAUTHORIZED', 'DENIED', 'UNSUPPORTED', 'TOOMANYREQUESTS', 'TAG_INVALID'])

/** The statuses each wire code may go out with, from the registered table (plus "no such endpoint", UNSUPPORTED as 404). */
const STATUSES = new Map<string, Set<number>>()
for (const entry of Object.entries(ERROR_CODES)) {
  const [code, e] = entry as [string, { status: number; wire?: string }]
  const wire = e.wire ?? code
  STATUSES.set(wire, (STATUSES.get(wire) ?? new Set()).add(e.status))
}
STATUSES.get('UNSUPPORTED')!.add(404)

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const sha512 = (b: Uint8Array) => `sha512:${createHash('sha512').update(b).digest('hex')}`

let b: RunningBerth
/** A repository with a blob and a tagged image in it, so reads can succeed too. */
const seeded = { name: 'fuzz/base', config: '', layer: '', manifest: '' }
const unhandled: unknown[] = []
const onUnhandled = (err: unknown) => unhandled.push(err)

async function send(r: RawRequest): Promise<RawAnswer> {
  const a = await rawExchange(b.port, r)
  if (!a) throw new Error('no answer')
  return a
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  process.on('uncaughtException', onUnhandled)
  b = await startBerth()
  const config = Buffer.from('{}')
  const layer = randomBytes(3000)
  for (const blob of [config, layer]) expect((await send({ method: 'POST', path: `/v2/${seeded.name}/blobs/uploads/?digest=${sha256(blob)}`, body: blob })).status).toBe(201)
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }]
  }))
  expect((await send({ method: 'PUT', path: `/v2/${seeded.name}/manifests/v1`, body: manifest, headers: { 'Content-Type': OCI_MANIFEST } })).status).toBe(201)
  Object.assign(seeded, { config: sha256(config), layer: sha256(layer), manifest: sha256(manifest) })
})

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  process.off('uncaughtException', onUnhandled)
  await b?.close()
})

// ---------- the parts of a request ----------

const validName = fc.stringMatching(/^[a-z0-9]{1,6}([._-][a-z0-9]{1,4})?(\/[a-z0-9]{1,6}){0,2}$/)
const name = fc.oneof(
  { weight: 3, arbitrary: fc.constant(seeded.name).map(() => seeded.name) },
  { weight: 4, arbitrary: validName },
  { weight: 2, arbitrary: fc.constantFrom('UPPER', '-a', 'a..b', '_x', 'a/../b', 'a%2Fb', 'berth-import-tmp/x', 'a'.repeat(300), '..', '%00') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) }
)
const tag = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,20}$/), fc.constantFrom('v1', 'latest', '-bad', '.bad', 'x'.repeat(129), 'a%20b', ''))
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`))
/** A digest for the path or query: a seeded one, a random well-formed one, or a malformed one. */
const digest = fc.oneof(
  fc.constantFrom('config', 'layer', 'manifest').map((k) => seeded[k as 'config' | 'layer' | 'manifest']),
  hex(64).map((h) => `sha256:${h}`),
  hex(128).map((h) => `sha512:${h}`),
  fc.constantFrom('sha256:abc', 'sha256:' + 'A'.repeat(64), 'md5:' + 'a'.repeat(32), 'abc', 'sha256%3A' + 'a'.repeat(64), 'sha256:', ':')
)
const reference = fc.oneof(tag, digest)
const contentType = fc.constantFrom(undefined, OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, 'application/json', 'application/octet-stream', 'text/html', 'x/y; charset=utf-8')
/** Bodies by length: empty, small, around the upload buffers, and now and then a few MiB. */
const bytes = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 600 * 1024 }).map((n) => randomBytes(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 3 * 2 ** 20, max: 5 * 2 ** 20 }).map((n) => randomBytes(n)) }
)
/** Manifest-like bodies: right, wrong, ambiguous (CVE-2021-41190) and plain JSON. */
const manifestBody = fc
  .record({
    kind: fc.constantFrom('image', 'index', 'ambiguous', 'json'),
    mediaType: fc.constantFrom(undefined, OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, 'text/plain'),
    known: fc.boolean(),
    json: fc.jsonValue({ maxDepth: 3 })
  })
  .map(({ kind, mediaType, known, json }) => {
    const d = known ? seeded.layer : `sha256:${'0'.repeat(64)}`
    const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: seeded.config, size: 2 }
    const layers = [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, size: 3000 }]
    const manifests = [{ mediaType: OCI_MANIFEST, digest: known ? seeded.manifest : d, size: 100 }]
    const doc =
      kind === 'image' ? { schemaVersion: 2, mediaType, config, layers } : kind === 'index' ? { schemaVersion: 2, mediaType, manifests } : kind === 'ambiguous' ? { schemaVersion: 2, mediaType, config, layers, manifests } : json
    return Buffer.from(JSON.stringify(doc) ?? 'null')
  })

interface Case {
  method: string
  path: string
  headers: Record<string, string>
  body?: Buffer
  chunked: boolean
  /** Start an upload session first and put its location where `{session}` is. */
  session: boolean
}

const withBody = (c: Omit<Case, 'chunked'>, chunked: boolean): Case => ({ ...c, chunked: c.body !== undefined && chunked })

const cases: fc.Arbitrary<Case> = fc.oneof<fc.Arbitrary<Case>[]>(
  // A monolithic push: the body's own digest (either algorithm) or another.
  fc.record({ n: name, body: bytes, which: fc.constantFrom('own', 'own512', 'other'), other: digest, chunked: fc.boolean() }).map(({ n, body, which, other, chunked }) =>
    withBody({ method: 'POST', path: `/v2/${n}/blobs/uploads/?digest=${which === 'own' ? sha256(body) : which === 'own512' ? sha512(body) : other}`, headers: { 'Content-Type': 'application/octet-stream' }, body, session: false }, chunked)
  ),
  // A chunked session: PATCH (with or without Content-Range), PUT to finish, GET status, DELETE.
  fc.record({ method: fc.constantFrom('PATCH', 'PUT', 'GET', 'DELETE'), body: fc.option(bytes, { nil: undefined }), range: fc.option(fc.constantFrom('0-0', '0-9', '5-2', 'bytes=0-99', 'junk'), { nil: undefined }), finish: digest, chunked: fc.boolean() }).map(({ method, body, range, finish, chunked }) =>
    withBody({ method, path: `{session}${method === 'PUT' ? `?digest=${body ? sha256(body) : finish}` : ''}`, headers: { ...(range ? { 'Content-Range': range } : {}), 'Content-Type': 'application/octet-stream' }, body, session: true }, chunked)
  ),
  // A manifest push, by tag or digest, with ?tag= now and then.
  fc.record({ n: name, ref: reference, byOwnDigest: fc.boolean(), tags: fc.array(tag, { maxLength: 3 }), body: fc.oneof({ weight: 4, arbitrary: manifestBody }, { weight: 1, arbitrary: bytes }), type: contentType, chunked: fc.boolean() }).map(({ n, ref, byOwnDigest, tags, body, type, chunked }) =>
    withBody({
      method: 'PUT',
      path: `/v2/${n}/manifests/${byOwnDigest ? sha256(body) : ref}${tags.length ? `?${tags.map((t) => `tag=${encodeURIComponent(t)}`).join('&')}` : ''}`,
      headers: type ? { 'Content-Type': type } : {},
      body,
      session: false
    }, chunked)
  ),
  // Reads and deletes on every route, with the headers they take.
  fc.record({
    method: fc.constantFrom('GET', 'HEAD', 'DELETE', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'TRACE', 'FOO'),
    route: fc.constantFrom('base', 'catalog', 'tags', 'manifest', 'blob', 'upload', 'uploads', 'referrers', 'other'),
    n: name,
    ref: reference,
    d: digest,
    query: fc.constantFrom('', '?n=2', '?n=-1', '?n=abc', '?last=zz', '?n=1&last=a', '?artifactType=x', '?mount=' + 'sha256:' + 'a'.repeat(64) + '&from=fuzz/base', '?digest=x'),
    range: fc.option(fc.constantFrom('bytes=0-0', 'bytes=-10', 'bytes=5-', 'bytes=9999999-', 'bytes=1-0', 'bytes=0-1,4-5', 'items=0-1'), { nil: undefined }),
    accept: fc.option(fc.constantFrom(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, '*/*', 'text/html', 'application/json;q=0'), { nil: undefined }),
    other: fc.string({ maxLength: 30 }).map(encodeURIComponent)
  }).map(({ method, route, n, ref, d, query, range, accept, other }) => {
    const paths: Record<string, string> = {
      base: '/v2/',
      catalog: '/v2/_catalog',
      tags: `/v2/${n}/tags/list`,
      manifest: `/v2/${n}/manifests/${ref}`,
      blob: `/v2/${n}/blobs/${d}`,
      upload: `/v2/${n}/blobs/uploads/${randomUUID()}`,
      uploads: `/v2/${n}/blobs/uploads/`,
      referrers: `/v2/${n}/referrers/${d}`,
      other: `/${other}`
    }
    const headers: Record<string, string> = { ...(range ? { Range: range } : {}), ...(accept ? { Accept: accept } : {}) }
    return { method, path: paths[route] + query, headers, chunked: false, session: false }
  })
)

// ---------- what every answer must be ----------

function checkAnswer(what: string, a: RawAnswer, method: string): void {
  expect(a.status, what).toBeGreaterThanOrEqual(200)
  expect(a.status, `${what}: ${a.body.toString().slice(0, 300)}`).not.toBe(500)
  if (a.status < 400) return
  if (method === 'HEAD') {
    expect(a.body.length, what).toBe(0)
    return
  }
  expect(a.headers['content-type'], what).toMatch(/^application\/json/)
  const body = JSON.parse(a.body.toString()) as { errors: { code: string; message: string; detail: unknown }[] }
  expect(Array.isArray(body.errors) && body.errors.length > 0, what).toBe(true)
  for (const e of body.errors) {
    expect(typeof e.message, what).toBe('string')
    expect('detail' in e, what).toBe(true)
    if (a.status >= 500) expect(e.code, what).toBe('UNKNOWN')
    else expect(SPEC_CODES.has(e.code), `${what}: code ${e.code}`).toBe(true)
    expect(STATUSES.get(e.code)?.has(a.status), `${what}: ${a.status} with ${e.code}`).toBe(true)
  }
}

async function alive(): Promise<void> {
  const ping = await send({ method: 'GET', path: '/v2/' })
  expect(ping.status).toBe(200)
  expect(ping.body.toString()).toBe('{}')
}

async function sessionLocation(): Promise<string> {
  const started = await send({ method: 'POST', path: '/v2/fuzz/session/blobs/uploads/' })
  expect(started.status).toBe(202)
  return started.headers.location
}

describe('fuzzing the registry port', () => {
  it('every request: a success or the spec’s JSON error with a fitting status; the registry answers after each', { timeout: 90_000 }, async () => {
    const seen = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const path = c.session ? c.path.replace('{session}', await sessionLocation()) : c.path
        const what = `${c.method} ${path.slice(0, 160)} ${JSON.stringify(c.headers)} body ${c.body?.length ?? 'none'}${c.chunked ? ' chunked' : ''}`
        const a = await send({ method: c.method, path, headers: c.headers, body: c.body, chunked: c.chunked })
        checkAnswer(what, a, c.method)
        seen.set(a.status, (seen.get(a.status) ?? 0) + 1)
        await alive()
      }),
      { numRuns: 300 }
    )
    // The cases reached the registry's work, not only its refusals: pushes stored, reads served.
    const count = (from: number, to: number) => [...seen].filter(([s]) => s >= from && s < to).reduce((n, [, k]) => n + k, 0)
    expect(seen.get(201) ?? 0).toBeGreaterThan(5)
    expect(count(200, 300)).toBeGreaterThan(30)
    expect(count(400, 500)).toBeGreaterThan(30)
  })

  it('hang-ups at any point of any request leave the registry serving', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(cases, fc.double({ min: 0, max: 1, noNaN: true }), async (c, at) => {
        const path = c.session ? c.path.replace('{session}', await sessionLocation()) : c.path
        const r: RawRequest = { method: c.method, path, headers: c.headers, body: c.body, chunked: c.chunked }
        const size = Buffer.byteLength(`${c.method} ${path} HTTP/1.1\r\n`) + 200 + (c.body?.length ?? 0)
        await rawExchange(b.port, { ...r, hangUpAfter: Math.floor(at * size) })
        await alive()
      }),
      { numRuns: 150 }
    )
  })

  it('afterwards: nothing reached the process, the folder verifies, holds no stray file and no upload but open sessions', async () => {
    // Requests whose client hung up may still be finishing: give them a moment.
    await new Promise((r) => setTimeout(r, 300))
    expect(unhandled).toEqual([])
    const report = await verifyStorage(b.storage)
    expect(report.problems).toEqual([])
    expect(await fsck(b.dataDir, { tempFiles: 'forbid' })).toEqual([])
    expect(await strayFiles(b.dataDir)).toEqual([])
    // Every upload folder is a whole session the store knows (its data and start time), by a uuid.
    const survey = await b.storage.uploads.survey(Number.MAX_SAFE_INTEGER)
    expect(survey.count).toBeGreaterThan(0)
    for (const repo of await repositoryNames(b.storage.layout.v2)) {
      for (const id of await readdir(paths.uploadsDir(b.storage.layout, repo)).catch(() => [] as string[])) {
        expect(isUuid(id), `${repo}/_uploads/${id}`).toBe(true)
        expect(await b.storage.uploads.status(repo, id), `${repo}/_uploads/${id}`).not.toBeNull()
        expect((await readdir(join(paths.uploadsDir(b.storage.layout, repo), id))).sort()).toEqual(['data', 'startedat'])
      }
    }
    await alive()
  })
})
