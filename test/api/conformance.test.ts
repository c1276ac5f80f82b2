import { createHash, randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBerth, type RunningBerth } from '../helpers/berth'

// The OCI distribution-spec conformance suites' expectations (conformance/0[1-4]_*_test.go and
// conformance2), replayed over raw HTTP against the in-process registry: the four workflows in the
// order and in the one namespace the suite uses, then the chunked, bad-digest and listing cases of
// the newer suite. Every JSON error body seen on the way is checked against the spec's code table.

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCTET = 'application/octet-stream'
/** The spec's error-code table, plus the legacy TAG_INVALID it says clients MAY meet. */
const SPEC_CODES = new Set([
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'UNAUTHORIZED',
  'DENIED', 'UNSUPPORTED', 'TOOMANYREQUESTS', 'TAG_INVALID'
])

const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const sha512 = (b: Uint8Array | string) => `sha512:${createHash('sha512').update(b).digest('hex')}`

let b: RunningBerth
beforeAll(async () => {
  b = await startBerth()
})
afterAll(async () => {
  await b.close()
})

interface Answer {
  status: number
  headers: Headers
  body: Buffer
  text: string
  location: string | null
  /** The error codes of a JSON error body (checked against the spec's table as they are read). */
  codes: string[]
}

/** Every error code any request in this file got back. */
const seenCodes = new Set<string>()

async function call(
  method: string,
  path: string,
  opts: { body?: Uint8Array | string; headers?: Record<string, string>; query?: Record<string, string> } = {}
): Promise<Answer> {
  const url = new URL(path, b.url)
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v)
  const res = await fetch(url, { method, body: opts.body, headers: opts.headers, redirect: 'manual' })
  const body = Buffer.from(await res.arrayBuffer())
  const answer: Answer = { status: res.status, headers: res.headers, body, text: body.toString(), location: res.headers.get('location'), codes: [] }
  if (res.status >= 400 && method !== 'HEAD') {
    // The spec's shape: {"errors":[{"code","message","detail"}]}, as JSON.
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const parsed = JSON.parse(answer.text) as { errors: { code: string; message: unknown; detail: unknown }[] }
    expect(parsed.errors.length).toBeGreaterThan(0)
    for (const e of parsed.errors) {
      expect(Object.keys(e).sort()).toEqual(['code', 'detail', 'message'])
      expect(e.code).toMatch(/^[A-Z_]+$/)
      expect(SPEC_CODES.has(e.code), `${method} ${path} answered code ${e.code}`).toBe(true)
      seenCodes.add(e.code)
    }
    answer.codes = parsed.errors.map((e) => e.code)
  }
  if (method === 'HEAD') expect(body.length).toBe(0)
  return answer
}

const put = (path: string, body: Uint8Array | string, type: string, query?: Record<string, string>) =>
  call('PUT', path, { body, headers: { 'Content-Type': type }, query })

/** POST then monolithic PUT, the way every setup step of the suite pushes a blob. */
async function postPut(name: string, bytes: Uint8Array): Promise<Answer> {
  const start = await call('POST', `/v2/${name}/blobs/uploads/`)
  expect(start.status).toBe(202)
  return call('PUT', start.location!, {
    body: bytes,
    headers: { 'Content-Type': OCTET, 'Content-Length': String(bytes.length) },
    query: { digest: sha(bytes) }
  })
}

const pretty = (o: unknown) => Buffer.from(JSON.stringify(o, null, '\t'))

describe('the conformance suite’s four workflows, in order, in one namespace', () => {
  const NS = 'conformance/suite'
  const XMOUNT = 'conformance/crossmount'
  const dummy = sha('hello world')
  const nonexistent = '.INVALID_MANIFEST_NAME'
  const configs = [0, 1, 2, 3, 4].map((i) =>
    pretty({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, author: `author-${i}-${randomBytes(8).toString('hex')}` })
  )
  const layer = randomBytes(200)
  const layerDesc = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: layer.length, digest: sha(layer) }
  // As the suite writes them: the config descriptor carries `data` and a field the spec does not know.
  const manifests = configs.map((c) =>
    pretty({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(c), size: c.length, data: c.toString('base64'), newUnspecifiedField: 'aGVsbG8gd29ybGQ=' },
      layers: [layerDesc]
    })
  )
  const ok2xx = (a: Answer) => a.status >= 200 && a.status < 300

  it('pull: setup, blobs and manifests by HEAD and GET, 404 for the missing, and teardown', async () => {
    for (const bytes of [configs[0], configs[1], layer]) expect((await postPut(NS, bytes)).status).toBe(201)
    expect((await put(`/v2/${NS}/manifests/tagtest0`, manifests[0], OCI_MANIFEST)).status).toBe(201)
    expect((await put(`/v2/${NS}/manifests/${sha(manifests[1])}`, manifests[1], OCI_MANIFEST)).status).toBe(201)

    for (const method of ['HEAD', 'GET']) expect((await call(method, `/v2/${NS}/blobs/${dummy}`)).status).toBe(404)
    const head = await call('HEAD', `/v2/${NS}/blobs/${sha(configs[0])}`)
    expect(head.status).toBe(200)
    expect(head.headers.get('docker-content-digest')).toBe(sha(configs[0]))
    expect(head.headers.get('content-length')).toBe(String(configs[0].length))
    const get = await call('GET', `/v2/${NS}/blobs/${sha(configs[0])}`)
    expect(get.status).toBe(200)
    expect(get.body.equals(configs[0])).toBe(true)

    // The suite's "nonexistent manifest" is not even a valid tag, and it must still be a 404.
    for (const method of ['HEAD', 'GET']) {
      const missing = await call(method, `/v2/${NS}/manifests/${nonexistent}`)
      expect(missing.status).toBe(404)
      if (method === 'GET') expect(missing.codes).toEqual(['MANIFEST_UNKNOWN'])
    }
    for (const [ref, bytes] of [[sha(manifests[0]), manifests[0]], [sha(manifests[1]), manifests[1]], ['tagtest0', manifests[0]]] as const) {
      for (const method of ['HEAD', 'GET']) {
        const res = await call(method, `/v2/${NS}/manifests/${ref}`, { headers: { Accept: OCI_MANIFEST } })
        expect(res.status).toBe(200)
        expect(res.headers.get('docker-content-digest')).toBe(sha(bytes))
        expect(res.headers.get('content-type')).toBe(OCI_MANIFEST)
        expect(res.headers.get('content-length')).toBe(String(bytes.length))
        if (method === 'GET') expect(res.body.equals(bytes)).toBe(true)
      }
    }
    // "400 response body should contain OCI-conforming JSON message" (400 or 404 allowed).
    for (const method of ['GET', 'PUT']) {
      const bad = await call(method, `/v2/${NS}/manifests/sha256:totallywrong`, {
        headers: { 'Content-Type': OCI_MANIFEST },
        body: method === 'PUT' ? 'blablabla' : undefined
      })
      expect(bad.status).toBe(400)
      expect(bad.codes).toEqual(['DIGEST_INVALID'])
    }
    for (const m of [manifests[0], manifests[1]]) expect((await call('DELETE', `/v2/${NS}/manifests/${sha(m)}`)).status).toBe(202)
    for (const blob of [configs[0], configs[1], layer]) expect((await call('DELETE', `/v2/${NS}/blobs/${sha(blob)}`)).status).toBe(202)
  })

  const blobA = randomBytes(42)
  it('push: streamed, monolithic, chunked (with retries and status), cross-mount, manifests, teardown', async () => {
    // Blob Upload Streamed: a PATCH without Content-Range or Content-Length, then a PUT whose
    // Content-Length states the blob's size but which carries no body.
    const start = await call('POST', `/v2/${NS}/blobs/uploads/`)
    expect(start.location).toBeTruthy()
    const patch = await call('PATCH', start.location!, { body: blobA, headers: { 'Content-Type': OCTET } })
    expect(patch.status).toBe(202)
    const close = await call('PUT', patch.location!, { query: { digest: sha(blobA) }, headers: { 'Content-Type': OCTET, 'Content-Length': String(blobA.length) } })
    expect(close.status).toBe(201)
    expect(close.location).toBeTruthy()

    // Blob Upload Monolithic: POST ?digest= (201 or 202 allowed; Berth does it in one), POST+PUT.
    const single = await call('POST', `/v2/${NS}/blobs/uploads/`, {
      query: { digest: sha(configs[1]) },
      body: configs[1],
      headers: { 'Content-Type': OCTET, 'Content-Length': String(configs[1].length) }
    })
    expect(single.status).toBe(201)
    expect(single.location).toBe(`/v2/${NS}/blobs/${sha(configs[1])}`)
    expect((await call('GET', single.location!)).status).toBe(200)
    expect((await postPut(NS, configs[1])).status).toBe(201)
    expect((await postPut(NS, layer)).status).toBe(201)

    // Blob Upload Chunked, with the suite's 42-byte blob split 22 + 20.
    const blobB = randomBytes(42)
    const [c1, c2] = [blobB.subarray(0, 22), blobB.subarray(22)]
    const chunk = (location: string, bytes: Buffer, range: string) =>
      call('PATCH', location, { body: bytes, headers: { 'Content-Type': OCTET, 'Content-Length': String(bytes.length), 'Content-Range': range } })
    const outOfOrder = await call('POST', `/v2/${NS}/blobs/uploads/`, { headers: { 'Content-Length': '0' } })
    expect((await chunk(outOfOrder.location!, c2, '22-41')).status).toBe(416)

    const session = await call('POST', `/v2/${NS}/blobs/uploads/`, { headers: { 'Content-Length': '0' } })
    const first = await chunk(session.location!, c1, '0-21')
    expect(first.status).toBe(202)
    expect(first.headers.get('range')).toBe('0-21')
    // "Retry previous blob chunk should return 416", then the stale session's status.
    expect((await chunk(session.location!, c1, '0-21')).status).toBe(416)
    const stale = await call('GET', session.location!)
    expect(stale.status).toBe(204)
    expect(stale.location).toBeTruthy()
    expect(stale.headers.get('range')).toBe('0-21')
    const second = await chunk(stale.location!, c2, '22-41')
    expect(second.status).toBe(202)
    expect(second.location).toBeTruthy()
    const done = await call('PUT', second.location!, { query: { digest: sha(blobB) }, headers: { 'Content-Type': OCTET, 'Content-Length': '0' } })
    expect(done.status).toBe(201)
    expect(done.location).toBeTruthy()

    // The older suite's "PUT request with final chunk".
    const blobC = randomBytes(42)
    const s2 = await call('POST', `/v2/${NS}/blobs/uploads/`, { headers: { 'Content-Length': '0' } })
    const p2 = await chunk(s2.location!, blobC.subarray(0, 22), '0-21')
    const final = await call('PUT', p2.location!, {
      query: { digest: sha(blobC) },
      body: blobC.subarray(22),
      headers: { 'Content-Type': OCTET, 'Content-Length': '20', 'Content-Range': '22-41' }
    })
    expect(final.status).toBe(201)
    expect((await call('GET', final.location!)).body.equals(blobC)).toBe(true)

    // Cross-Repository Blob Mount.
    const noFrom = await call('POST', `/v2/${XMOUNT}/blobs/uploads/`, { query: { mount: dummy } })
    expect(noFrom.status).toBe(202)
    expect(noFrom.location).toMatch(new RegExp(`^/v2/${XMOUNT}/blobs/uploads/[^/]+$`))
    const mounted = await call('POST', `/v2/${XMOUNT}/blobs/uploads/`, { query: { mount: sha(blobA), from: NS } })
    expect(mounted.status).toBe(201)
    expect(mounted.location).toBe(`/v2/${XMOUNT}/blobs/${sha(blobA)}`)
    expect((await call('GET', mounted.location!)).body.equals(blobA)).toBe(true)
    // Automatic content discovery: without `from`, a blob the registry holds is mounted.
    expect((await call('POST', `/v2/${XMOUNT}/blobs/uploads/`, { query: { mount: sha(blobA) } })).status).toBe(201)
    const missing = await call('POST', `/v2/${XMOUNT}/blobs/uploads/`, { query: { mount: dummy, from: NS } })
    expect(missing.status).toBe(202)
    expect(missing.location).toMatch(new RegExp(`^/v2/${XMOUNT}/blobs/uploads/`))

    // Manifest Upload: four tags, a manifest with no layers and no mediaType field.
    expect((await call('GET', `/v2/${NS}/manifests/${nonexistent}`)).status).toBe(404)
    for (let i = 0; i < 4; i++) {
      const res = await put(`/v2/${NS}/manifests/test${i}`, manifests[1], OCI_MANIFEST)
      expect(res.status).toBe(201)
      expect(res.location).toBe(`/v2/${NS}/manifests/${sha(manifests[1])}`)
    }
    const emptyLayer = pretty({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(configs[1]), size: configs[1].length, data: configs[1].toString('base64') },
      layers: []
    })
    expect((await put(`/v2/${NS}/manifests/emptylayer`, emptyLayer, OCI_MANIFEST)).status).toBe(201)
    expect((await call('GET', `/v2/${NS}/manifests/${sha(manifests[1])}`, { headers: { Accept: OCI_MANIFEST } })).status).toBe(200)

    for (const m of [manifests[1], emptyLayer]) expect((await call('DELETE', `/v2/${NS}/manifests/${sha(m)}`)).status).toBe(202)
    for (const blob of [configs[1], layer]) expect(ok2xx(await call('DELETE', `/v2/${NS}/blobs/${sha(blob)}`))).toBe(true)
  })

  it('content discovery: tags with n and last, referrers with and without a filter, teardown', async () => {
    expect((await postPut(NS, configs[2])).status).toBe(201)
    expect((await postPut(NS, layer)).status).toBe(201)
    for (let i = 0; i < 4; i++) expect((await put(`/v2/${NS}/manifests/test${i}`, manifests[2], OCI_MANIFEST)).status).toBe(201)

    const empty = Buffer.from('{}')
    const emptyDesc = { mediaType: 'application/vnd.oci.empty.v1+json', size: 2, digest: sha(empty) }
    const refA = Buffer.from('NHL Peanut Butter on my NHL bagel')
    const refB = Buffer.from('NBA Strawberry Jam on my NBA croissant')
    const typeA = 'application/vnd.nhl.peanut.butter.bagel'
    const typeB = 'application/vnd.nba.strawberry.jam.croissant'
    const key = 'org.opencontainers.conformance.test'
    const subject = { mediaType: OCI_MANIFEST, size: manifests[4].length, digest: sha(manifests[4]) }
    const absent = { mediaType: OCI_MANIFEST, size: manifests[3].length, digest: sha(manifests[3]) }
    const configArtifact = (type: string, blob: Buffer, note: string) =>
      pretty({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: type, size: blob.length, digest: sha(blob) }, subject, layers: [emptyDesc], annotations: { [key]: note } })
    const layerArtifact = (type: string, blob: Buffer, subj: object, annotations?: object) =>
      pretty({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: type, config: emptyDesc, subject: subj, layers: [{ mediaType: type, size: blob.length, digest: sha(blob) }], annotations })
    const aConfig = configArtifact(typeA, refA, 'test config a')
    const aLayer = layerArtifact(typeA, refA, subject, { [key]: 'test layer a' })
    const index = pretty({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      artifactType: 'application/vnd.food.stand',
      manifests: [aConfig, aLayer].map((m) => ({ mediaType: OCI_MANIFEST, size: m.length, digest: sha(m) })),
      subject,
      annotations: { [key]: 'test index' }
    })
    const bConfig = configArtifact(typeB, refB, 'test config b')
    const bLayer = layerArtifact(typeB, refB, subject, { [key]: 'test layer b' })
    const cLayer = layerArtifact(typeB, refB, absent)

    expect((await postPut(NS, empty)).status).toBe(201)
    expect((await postPut(NS, refA)).status).toBe(201)
    // Referrers pushed before their subject exists: accepted, and OCI-Subject says whose they are.
    for (const [m, type] of [[aConfig, OCI_MANIFEST], [aLayer, OCI_MANIFEST], [index, OCI_INDEX]] as const) {
      const res = await put(`/v2/${NS}/manifests/${sha(m)}`, m, type)
      expect(res.status).toBe(201)
      expect(res.headers.get('oci-subject')).toBe(sha(manifests[4]))
    }
    expect((await postPut(NS, configs[4])).status).toBe(201)
    expect((await postPut(NS, layer)).status).toBe(201)
    expect((await put(`/v2/${NS}/manifests/tagtest0`, manifests[4], OCI_MANIFEST)).status).toBe(201)
    expect((await postPut(NS, refB)).status).toBe(201)
    for (const [m, subj] of [[bConfig, subject], [bLayer, subject], [cLayer, absent]] as const) {
      const res = await put(`/v2/${NS}/manifests/${sha(m)}`, m, OCI_MANIFEST)
      expect(res.status).toBe(201)
      expect(res.headers.get('oci-subject')).toBe(subj.digest)
    }

    const all = JSON.parse((await call('GET', `/v2/${NS}/tags/list`)).text) as { name: string; tags: string[] }
    expect(all).toEqual({ name: NS, tags: ['tagtest0', 'test0', 'test1', 'test2', 'test3'] })
    const half = Math.floor(all.tags.length / 2)
    const limited = await call('GET', `/v2/${NS}/tags/list`, { query: { n: String(half) } })
    expect((JSON.parse(limited.text) as { tags: string[] }).tags).toEqual(all.tags.slice(0, half))
    const rest = await call('GET', `/v2/${NS}/tags/list`, { query: { n: String(half), last: all.tags[half - 1] } })
    expect((JSON.parse(rest.text) as { tags: string[] }).tags).toEqual(all.tags.slice(half, 2 * half))

    type Index = { schemaVersion: number; mediaType: string; manifests: { digest: string; mediaType: string; size: number; artifactType?: string; annotations?: Record<string, string> }[] }
    const referrers = async (digest: string, query?: Record<string, string>) => {
      const res = await call('GET', `/v2/${NS}/referrers/${digest}`, { query })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(OCI_INDEX)
      const body = JSON.parse(res.text) as Index
      expect(body.schemaVersion).toBe(2)
      expect(body.mediaType).toBe(OCI_INDEX)
      return { res, body }
    }
    expect((await referrers(dummy)).body.manifests).toEqual([])
    const { body: listed } = await referrers(sha(manifests[4]))
    const expected = [
      [aConfig, OCI_MANIFEST, typeA, 'test config a'],
      [aLayer, OCI_MANIFEST, typeA, 'test layer a'],
      [index, OCI_INDEX, 'application/vnd.food.stand', 'test index'],
      [bConfig, OCI_MANIFEST, typeB, 'test config b'],
      [bLayer, OCI_MANIFEST, typeB, 'test layer b']
    ] as const
    expect(listed.manifests).toHaveLength(5)
    for (const [m, mediaType, artifactType, note] of expected)
      expect(listed.manifests).toContainEqual({ mediaType, size: m.length, digest: sha(m), artifactType, annotations: { [key]: note } })
    const { res: filteredRes, body: filtered } = await referrers(sha(manifests[4]), { artifactType: typeA })
    expect(filteredRes.headers.get('oci-filters-applied')).toBe('artifactType')
    expect(filtered.manifests.map((m) => m.digest).sort()).toEqual([sha(aConfig), sha(aLayer)].sort())
    const { res: unfilteredRes, body: unfiltered } = await referrers(sha(manifests[4]), { artifactType: '' })
    expect(unfilteredRes.headers.get('oci-filters-applied')).toBeNull()
    expect(unfiltered.manifests).toHaveLength(5)
    const { body: orphan } = await referrers(sha(manifests[3]))
    expect(orphan.manifests.map((m) => m.digest)).toEqual([sha(cLayer)])

    // Teardown: 2xx, 404 or 405 for manifests (some go twice), but the blobs must still be deletable.
    for (const ref of [sha(index), sha(manifests[2]), sha(manifests[4]), sha(aConfig), sha(aLayer), 'tagtest0', sha(bConfig), sha(bLayer), sha(cLayer)]) {
      const res = await call('DELETE', `/v2/${NS}/manifests/${ref}`)
      expect([202, 404]).toContain(res.status)
    }
    for (const blob of [configs[2], layer]) expect((await call('DELETE', `/v2/${NS}/blobs/${sha(blob)}`)).status).toBe(202)
    for (const blob of [configs[4], refA, refB, empty]) expect((await call('DELETE', `/v2/${NS}/blobs/${sha(blob)}`)).status).toBe(202)
  })

  it('content management: delete a tag, then its manifest, and the tags list shrinks; delete blobs', async () => {
    expect((await postPut(NS, configs[3])).status).toBe(201)
    expect((await postPut(NS, layer)).status).toBe(201)
    expect((await put(`/v2/${NS}/manifests/tagtest0`, manifests[3], OCI_MANIFEST)).status).toBe(201)
    const before = (JSON.parse((await call('GET', `/v2/${NS}/tags/list`)).text) as { tags: string[] }).tags.length
    expect((await call('DELETE', `/v2/${NS}/manifests/tagtest0`)).status).toBe(202)
    expect((await call('DELETE', `/v2/${NS}/manifests/${sha(manifests[3])}`)).status).toBe(202)
    expect((await call('GET', `/v2/${NS}/manifests/${sha(manifests[3])}`)).status).toBe(404)
    // An emptied repository still exists: 200 with no tags, never NAME_UNKNOWN.
    const after = await call('GET', `/v2/${NS}/tags/list`)
    expect(after.status).toBe(200)
    expect((JSON.parse(after.text) as { tags: string[] | null }).tags ?? []).toHaveLength(before - 1)
    for (const blob of [configs[3], layer]) expect((await call('DELETE', `/v2/${NS}/blobs/${sha(blob)}`)).status).toBe(202)
    expect((await call('GET', `/v2/${NS}/blobs/${sha(configs[3])}`)).status).toBe(404)
    expect((await call('HEAD', `/v2/${NS}/blobs/${sha(configs[3])}`)).status).toBe(404)
  })
})

describe('chunked uploads as the newer suite drives them (conformance2)', () => {
  const NAME = 'conformance2/chunks'
  const blob = randomBytes(3 * 512 - 5)
  const size = 512
  const chunk = (location: string, start: number, end: number, method = 'PATCH', query?: Record<string, string>) =>
    call(method, location, {
      body: blob.subarray(start, end + 1),
      headers: { 'Content-Type': OCTET, 'Content-Length': String(end - start + 1), 'Content-Range': `${start}-${end}` },
      query
    })

  it('a chunk that skips ahead, one that starts over, and an out-of-order final PUT are 416; the session survives each', async () => {
    const start = await call('POST', `/v2/${NAME}/blobs/uploads/`, { headers: { 'Content-Length': '0' } })
    let location = start.location!
    const ahead = await chunk(location, size, 2 * size - 1)
    expect(ahead.status).toBe(416)
    expect(ahead.codes).toEqual(['BLOB_UPLOAD_INVALID'])
    expect(ahead.location).toBe(location)
    expect(ahead.headers.get('range')).toBe('0-0')
    // Recovery: GET says where the upload stands.
    let status = await call('GET', location)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-0')

    location = (await chunk(status.location!, 0, size - 1)).location!
    expect((await chunk(location, 0, size - 1)).status).toBe(416)
    status = await call('GET', location)
    expect(status.headers.get('range')).toBe(`0-${size - 1}`)
    const second = await chunk(status.location!, size, 2 * size - 1)
    expect(second.status).toBe(202)
    expect(second.headers.get('range')).toBe(`0-${2 * size - 1}`)

    const wrongFinal = await chunk(second.location!, 0, blob.length - 2 * size - 1, 'PUT', { digest: sha(blob) })
    expect(wrongFinal.status).toBe(416)
    status = await call('GET', second.location!)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe(`0-${2 * size - 1}`)
    const final = await chunk(status.location!, 2 * size, blob.length - 1, 'PUT', { digest: sha(blob) })
    expect(final.status).toBe(201)
    expect(final.location).toBe(`/v2/${NAME}/blobs/${sha(blob)}`)
    const got = await call('GET', final.location!)
    expect(got.body.equals(blob)).toBe(true)
    expect(got.headers.get('content-length')).toBe(String(blob.length))
  })

  it('a cancelled session is gone for GET, PATCH, PUT and DELETE (BLOB_UPLOAD_UNKNOWN)', async () => {
    const start = await call('POST', `/v2/${NAME}/blobs/uploads/`)
    expect((await call('DELETE', start.location!, { headers: { 'Content-Length': '0' } })).status).toBe(204)
    for (const [method, body] of [['GET'], ['PATCH', 'abc'], ['PUT', 'abc'], ['DELETE']] as const) {
      const res = await call(method, start.location!, { body, query: method === 'PUT' ? { digest: sha('abc') } : undefined })
      expect(res.status).toBe(404)
      expect(res.codes).toEqual(['BLOB_UPLOAD_UNKNOWN'])
    }
  })

  it('a bad digest is a 400 DIGEST_INVALID on every upload path, and nothing is stored', async () => {
    const bytes = randomBytes(100)
    const wrong = sha(bytes.subarray(0, 90))
    const answers: Answer[] = []
    answers.push(await call('POST', `/v2/${NAME}/blobs/uploads/`, { query: { digest: wrong }, body: bytes, headers: { 'Content-Type': OCTET } }))
    let s = await call('POST', `/v2/${NAME}/blobs/uploads/`)
    answers.push(await call('PUT', s.location!, { query: { digest: wrong }, body: bytes, headers: { 'Content-Type': OCTET } }))
    s = await call('POST', `/v2/${NAME}/blobs/uploads/`)
    const streamed = await call('PATCH', s.location!, { body: bytes, headers: { 'Content-Type': OCTET } })
    answers.push(await call('PUT', streamed.location!, { query: { digest: wrong }, headers: { 'Content-Length': '0' } }))
    s = await call('POST', `/v2/${NAME}/blobs/uploads/`, { headers: { 'Content-Length': '0' } })
    const first = await call('PATCH', s.location!, { body: bytes.subarray(0, 50), headers: { 'Content-Type': OCTET, 'Content-Range': '0-49' } })
    answers.push(await call('PUT', first.location!, { query: { digest: wrong }, body: bytes.subarray(50), headers: { 'Content-Range': '50-99' } }))
    for (const a of answers) {
      expect(a.status).toBe(400)
      expect(a.codes).toEqual(['DIGEST_INVALID'])
    }
    expect((await call('HEAD', `/v2/${NAME}/blobs/${wrong}`)).status).toBe(404)
  })

  it('empty and sha512 blobs go up and come back with their length', async () => {
    const empty = Buffer.alloc(0)
    expect((await call('POST', `/v2/${NAME}/blobs/uploads/`, { query: { digest: sha(empty) }, body: empty, headers: { 'Content-Length': '0' } })).status).toBe(201)
    const head = await call('HEAD', `/v2/${NAME}/blobs/${sha(empty)}`)
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('0')
    const bytes = randomBytes(300)
    const created = await call('POST', `/v2/${NAME}/blobs/uploads/`, { query: { digest: sha512(bytes) }, body: bytes })
    expect(created.status).toBe(201)
    const got = await call('GET', created.location!)
    expect(got.body.equals(bytes)).toBe(true)
    expect(got.headers.get('docker-content-digest')).toBe(sha512(bytes))
  })
})

describe('manifest references that are not tags', () => {
  const NAME = 'conformance/refs'
  let manifest: Buffer
  beforeAll(async () => {
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}')
    await call('POST', `/v2/${NAME}/blobs/uploads/`, { query: { digest: sha(config) }, body: config })
    manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length }, layers: [] }))
    expect((await put(`/v2/${NAME}/manifests/v1`, manifest, OCI_MANIFEST)).status).toBe(201)
  })

  it.each(['.INVALID_MANIFEST_NAME', '-dash', 'a'.repeat(129), 'has+plus'])('GET, HEAD and DELETE of %s are 404 MANIFEST_UNKNOWN', async (ref) => {
    for (const method of ['GET', 'HEAD', 'DELETE']) {
      const res = await call(method, `/v2/${NAME}/manifests/${ref}`)
      expect(res.status).toBe(404)
      if (method !== 'HEAD') expect(res.codes).toEqual(['MANIFEST_UNKNOWN'])
    }
  })

  it('in an unknown repository they are NAME_UNKNOWN; a PUT is told TAG_INVALID (400)', async () => {
    expect((await call('GET', `/v2/conformance/nowhere/manifests/.bad`)).codes).toEqual(['NAME_UNKNOWN'])
    const putBad = await put(`/v2/${NAME}/manifests/.bad`, manifest, OCI_MANIFEST)
    expect(putBad.status).toBe(400)
    expect(putBad.codes).toEqual(['TAG_INVALID'])
    expect((await put(`/v2/${NAME}/manifests/${'a'.repeat(128)}`, manifest, OCI_MANIFEST)).status).toBe(201)
  })

  it('two Accept header lines (as Go clients send them) are both honoured', async () => {
    // Raw bytes: fetch and http.request both fold repeated headers before they are sent.
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(b.port, '127.0.0.1', () =>
        socket.write(`GET /v2/${NAME}/manifests/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: ${OCI_INDEX}\r\nAccept: ${OCI_MANIFEST}\r\nConnection: close\r\n\r\n`)
      )
      let data = ''
      socket.on('data', (c: Buffer) => (data += c.toString()))
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK')
    expect(head).toMatch(new RegExp(`\r\ncontent-type: ${OCI_MANIFEST.replace(/[.+]/g, '\\$&')}\r\n`, 'i'))
  })
})

describe('tags list as the spec words it', () => {
  const NAME = 'conformance/tags'
  const TAGS = ['b', 'a', 'C', 'c', 'A1', '_x', 'z9', 'V2', 'v1', '0']
  // Lexical, case-insensitive; V2/v1 would be ["V2", ..., "v1"] in code-unit order.
  const ORDERED = ['0', '_x', 'a', 'A1', 'b', 'C', 'c', 'v1', 'V2', 'z9']
  beforeAll(async () => {
    const config = Buffer.from('{"architecture":"arm64","os":"linux"}')
    await call('POST', `/v2/${NAME}/blobs/uploads/`, { query: { digest: sha(config) }, body: config })
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length }, layers: [] }))
    for (const tag of TAGS) expect((await put(`/v2/${NAME}/manifests/${tag}`, manifest, OCI_MANIFEST)).status).toBe(201)
  })
  const tagsOf = (a: Answer) => (JSON.parse(a.text) as { tags: string[] }).tags

  it('are in case-insensitive lexical order, and `last` and Link follow that order', async () => {
    expect(tagsOf(await call('GET', `/v2/${NAME}/tags/list`))).toEqual(ORDERED)
    const seen: string[] = []
    let next: string | null = `/v2/${NAME}/tags/list?n=3`
    while (next) {
      const page = await call('GET', next)
      expect(page.status).toBe(200)
      seen.push(...tagsOf(page))
      const link = page.headers.get('link')
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : null
    }
    expect(seen).toEqual(ORDERED)
    expect(tagsOf(await call('GET', `/v2/${NAME}/tags/list?last=b`))).toEqual(ORDERED.slice(ORDERED.indexOf('b') + 1))
    // `last` need not be a tag that exists: B sorts just before b.
    expect(tagsOf(await call('GET', `/v2/${NAME}/tags/list?last=B&n=2`))).toEqual(['b', 'C'])
  })

  it('n=0 is an empty list without Link; n equal to the count has no Link either', async () => {
    const zero = await call('GET', `/v2/${NAME}/tags/list?n=0`)
    expect(tagsOf(zero)).toEqual([])
    expect(zero.headers.get('link')).toBeNull()
    const exact = await call('GET', `/v2/${NAME}/tags/list?n=${TAGS.length}`)
    expect(tagsOf(exact)).toEqual(ORDERED)
    expect(exact.headers.get('link')).toBeNull()
    expect(tagsOf(await call('GET', `/v2/${NAME}/tags/list?n=0&last=a`))).toEqual([])
  })

  it('a bad n is a 400 whose code is in the spec’s table', async () => {
    for (const n of ['-1', 'x', '1.5']) {
      const res = await call('GET', `/v2/${NAME}/tags/list?n=${n}`)
      expect(res.status).toBe(400)
      expect(res.codes).toEqual(['UNSUPPORTED'])
    }
  })

  it('n above 1,000 is honoured in full, and no n is the whole list (the spec allows fewer only when fewer exist)', async () => {
    const name = 'conformance/many'
    const config = Buffer.from('{"architecture":"s390x","os":"linux"}')
    await call('POST', `/v2/${name}/blobs/uploads/`, { query: { digest: sha(config) }, body: config })
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length }, layers: [] }))
    const tags = Array.from({ length: 1005 }, (_, i) => `t${String(i).padStart(4, '0')}`)
    for (let i = 0; i < tags.length; i += 50)
      await Promise.all(tags.slice(i, i + 50).map((t) => put(`/v2/${name}/manifests/${t}`, manifest, OCI_MANIFEST)))
    const whole = await call('GET', `/v2/${name}/tags/list`)
    expect(tagsOf(whole)).toEqual(tags)
    expect(whole.headers.get('link')).toBeNull()
    const big = await call('GET', `/v2/${name}/tags/list?n=1003`)
    expect(tagsOf(big)).toEqual(tags.slice(0, 1003))
    expect(big.headers.get('link')).toBe(`</v2/${name}/tags/list?n=1003&last=t1002>; rel="next"`)
  }, 60_000)

  it('of a repository never pushed is 404 NAME_UNKNOWN; its referrers are still an empty 200 index', async () => {
    expect((await call('GET', `/v2/conformance/never/tags/list`)).codes).toEqual(['NAME_UNKNOWN'])
    const refs = await call('GET', `/v2/conformance/never/referrers/${sha('x')}`)
    expect(refs.status).toBe(200)
    expect(refs.headers.get('content-type')).toBe(OCI_INDEX)
    expect(JSON.parse(refs.text)).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] })
  })
})

describe('repository names', () => {
  // [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*, at most 255 characters.
  it.each(['a__b', 'a---b', 'a.b/c_d/e-f', 'x'.repeat(255)])('%s is a name (unknown here: 404 NAME_UNKNOWN)', async (name) => {
    const res = await call('GET', `/v2/${name}/tags/list`)
    expect(res.status).toBe(404)
    expect(res.codes).toEqual(['NAME_UNKNOWN'])
  })
  it.each(['a___b', 'Upper', '-a', 'a..b', 'a/', 'a//b', '_a', 'x'.repeat(256)])('%s is not a name (400 NAME_INVALID)', async (name) => {
    for (const path of [`/v2/${name}/tags/list`, `/v2/${name}/manifests/latest`, `/v2/${name}/blobs/${sha('x')}`]) {
      const res = await call('GET', path)
      expect(res.status).toBe(400)
      expect(res.codes).toEqual(['NAME_INVALID'])
    }
  })
})

describe('error bodies', () => {
  it('wear only the spec’s codes, whatever the status (416 and 413 included)', async () => {
    const NAME = 'conformance/errors'
    const s = await call('POST', `/v2/${NAME}/blobs/uploads/`)
    expect((await call('PATCH', s.location!, { body: 'abc', headers: { 'Content-Range': '5-7' } })).codes).toEqual(['BLOB_UPLOAD_INVALID'])
    const tooBig = await put(`/v2/${NAME}/manifests/big`, Buffer.alloc(4 * 1024 * 1024 + 1, 0x20), OCI_MANIFEST)
    expect(tooBig.status).toBe(413)
    expect(tooBig.codes).toEqual(['MANIFEST_INVALID'])
    // Everything this file provoked was already checked one by one; this is the tally.
    expect([...seenCodes].every((c) => SPEC_CODES.has(c))).toBe(true)
    expect(seenCodes.size).toBeGreaterThan(5)
  })
})
