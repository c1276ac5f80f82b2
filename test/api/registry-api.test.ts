import { createHash, randomBytes } from 'node:crypto'
import { readdir, utimes } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBerth, type RunningBerth } from '../helpers/berth'

// The registry API over raw HTTP, in process: every endpoint, every error path, as the spec words it.

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const EMPTY_JSON = Buffer.from('{}')

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

let b: RunningBerth
beforeAll(async () => {
  b = await startBerth()
})
afterAll(async () => {
  await b.close()
})

function req(path: string, init: RequestInit = {}) {
  return fetch(`${b.url}${path}`, { redirect: 'manual', ...init })
}

async function errorsOf(res: Response): Promise<string[]> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as { errors: { code: string; message: string }[] }
  for (const e of body.errors) expect(typeof e.message).toBe('string')
  return body.errors.map((e) => e.code)
}

async function pushBlob(name: string, bytes: Uint8Array): Promise<string> {
  const digest = sha(bytes)
  const res = await req(`/v2/${name}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    body: bytes,
    headers: { 'Content-Type': 'application/octet-stream' }
  })
  expect(res.status).toBe(201)
  return digest
}

function imageManifest(config: string, layers: { digest: string; size: number }[], extra: Record<string, unknown> = {}) {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
      ...extra
    })
  )
}

async function pushImage(name: string, tag: string, extra: Record<string, unknown> = {}) {
  const layer = randomBytes(1000)
  const config = await pushBlob(name, EMPTY_JSON)
  const layerDigest = await pushBlob(name, layer)
  const manifest = imageManifest(config, [{ digest: layerDigest, size: layer.length }], extra)
  const res = await req(`/v2/${name}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': OCI_MANIFEST } })
  expect(res.status).toBe(201)
  return { manifest, digest: sha(manifest), layer, layerDigest, res }
}

describe('base', () => {
  it('GET and HEAD /v2/ answer 200 with the API version header', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await req('/v2/', { method })
      expect(res.status).toBe(200)
      expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    }
  })
  it('an unknown path is a JSON 404, a wrong method a JSON 405 with Allow', async () => {
    const res = await req('/v2/a/nothing/here')
    expect(res.status).toBe(404)
    expect(await errorsOf(res)).toEqual(['UNSUPPORTED'])
    const put = await req('/v2/_catalog', { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toContain('GET')
    expect(await errorsOf(put)).toEqual(['UNSUPPORTED'])
  })
})

describe('blob uploads', () => {
  it('monolithic POST ?digest= stores the blob; GET and HEAD serve it', async () => {
    const bytes = randomBytes(5000)
    const digest = await pushBlob('mono/app', bytes)
    const head = await req(`/v2/mono/app/blobs/${digest}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('5000')
    expect(head.headers.get('docker-content-digest')).toBe(digest)
    const get = await req(`/v2/mono/app/blobs/${digest}`)
    expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true)
    expect(get.headers.get('content-type')).toBe('application/octet-stream')
  })

  it('POST then PUT with the whole body (single-request after session)', async () => {
    const bytes = randomBytes(3000)
    const start = await req('/v2/two/step/blobs/uploads/', { method: 'POST' })
    expect(start.status).toBe(202)
    const location = start.headers.get('location')!
    expect(location).toMatch(/^\/v2\/two\/step\/blobs\/uploads\/[0-9a-f-]{36}$/)
    expect(start.headers.get('docker-upload-uuid')).toBe(location.split('/').pop())
    const put = await req(`${location}?digest=${sha(bytes)}`, {
      method: 'PUT',
      body: bytes,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) }
    })
    expect(put.status).toBe(201)
    expect(put.headers.get('location')).toBe(`/v2/two/step/blobs/${sha(bytes)}`)
    expect(put.headers.get('docker-content-digest')).toBe(sha(bytes))
  })

  it('chunked PATCHes with Content-Range, status in between, out-of-order → 416, then PUT', async () => {
    const bytes = randomBytes(10_000)
    const start = await req('/v2/chunked/app/blobs/uploads/', { method: 'POST' })
    const location = start.headers.get('location')!
    const first = await req(location, {
      method: 'PATCH',
      body: bytes.subarray(0, 4000),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': '0-3999', 'Content-Length': '4000' }
    })
    expect(first.status).toBe(202)
    expect(first.headers.get('range')).toBe('0-3999')
    expect(first.headers.get('location')).toBe(location)

    const status = await req(location)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-3999')
    expect(status.headers.get('docker-upload-uuid')).toBeTruthy()

    const wrong = await req(location, {
      method: 'PATCH',
      body: bytes.subarray(5000, 6000),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': '5000-5999', 'Content-Length': '1000' }
    })
    expect(wrong.status).toBe(416)
    // Distribution says RANGE_INVALID; the spec's table has BLOB_UPLOAD_INVALID.
    expect(await errorsOf(wrong)).toEqual(['BLOB_UPLOAD_INVALID'])
    expect(wrong.headers.get('range')).toBe('0-3999')

    const second = await req(location, {
      method: 'PATCH',
      body: bytes.subarray(4000, 9000),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': '4000-8999', 'Content-Length': '5000' }
    })
    expect(second.headers.get('range')).toBe('0-8999')
    const put = await req(`${location}?digest=${sha(bytes)}`, {
      method: 'PUT',
      body: bytes.subarray(9000),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': '9000-9999', 'Content-Length': '1000' }
    })
    expect(put.status).toBe(201)
    const get = await req(`/v2/chunked/app/blobs/${sha(bytes)}`)
    expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('a streamed PATCH without Content-Range (as docker sends) then an empty PUT', async () => {
    const bytes = randomBytes(200_000)
    const start = await req('/v2/streamed/app/blobs/uploads/', { method: 'POST' })
    const location = start.headers.get('location')!
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < bytes.length; i += 50_000) c.enqueue(bytes.subarray(i, i + 50_000))
        c.close()
      }
    })
    const patch = await req(location, { method: 'PATCH', body: stream, duplex: 'half' } as RequestInit)
    expect(patch.status).toBe(202)
    expect(patch.headers.get('range')).toBe(`0-${bytes.length - 1}`)
    const put = await req(`${location}?digest=${sha(bytes)}`, { method: 'PUT' })
    expect(put.status).toBe(201)
  })

  it('a wrong digest is DIGEST_INVALID and nothing is kept', async () => {
    const bytes = randomBytes(100)
    const wrongDigest = sha(Buffer.from('something else'))
    const res = await req(`/v2/bad/digest/blobs/uploads/?digest=${wrongDigest}`, { method: 'POST', body: bytes })
    expect(res.status).toBe(400)
    expect(await errorsOf(res)).toEqual(['DIGEST_INVALID'])
    expect((await req(`/v2/bad/digest/blobs/${wrongDigest}`, { method: 'HEAD' })).status).toBe(404)
    const uploads = await readdir(join(b.dataDir, 'docker/registry/v2/repositories/bad/digest/_uploads')).catch(() => [])
    expect(uploads).toEqual([])
  })

  it('sha512 digests are verified too', async () => {
    const bytes = randomBytes(777)
    const digest = `sha512:${createHash('sha512').update(bytes).digest('hex')}`
    const res = await req(`/v2/sha/five/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes })
    expect(res.status).toBe(201)
    const get = await req(`/v2/sha/five/blobs/${digest}`)
    expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('an empty blob can be uploaded and served', async () => {
    const digest = await pushBlob('empty/blob', Buffer.alloc(0))
    const get = await req(`/v2/empty/blob/blobs/${digest}`)
    expect(get.status).toBe(200)
    expect(get.headers.get('content-length')).toBe('0')
  })

  it('cancel (DELETE) removes the session; a cancelled or made-up session is BLOB_UPLOAD_UNKNOWN', async () => {
    const start = await req('/v2/cancel/me/blobs/uploads/', { method: 'POST' })
    const location = start.headers.get('location')!
    expect((await req(location, { method: 'DELETE' })).status).toBe(204)
    const again = await req(location)
    expect(again.status).toBe(404)
    expect(await errorsOf(again)).toEqual(['BLOB_UPLOAD_UNKNOWN'])
    const madeUp = await req('/v2/cancel/me/blobs/uploads/not-a-uuid', { method: 'PATCH', body: 'x' })
    expect(madeUp.status).toBe(404)
    expect(await errorsOf(madeUp)).toEqual(['BLOB_UPLOAD_UNKNOWN'])
  })

  it('an upload session survives a restart of the registry on the same folder', async () => {
    const bytes = randomBytes(8000)
    const first = await startBerth()
    const start = await fetch(`${first.url}/v2/restart/app/blobs/uploads/`, { method: 'POST' })
    const location = start.headers.get('location')!
    await fetch(`${first.url}${location}`, { method: 'PATCH', body: bytes.subarray(0, 5000), headers: { 'Content-Range': '0-4999' } })
    await first.close()
    const second = await startBerth({ dataDir: first.dataDir })
    const status = await fetch(`${second.url}${location}`)
    expect(status.headers.get('range')).toBe('0-4999')
    const put = await fetch(`${second.url}${location}?digest=${sha(bytes)}`, {
      method: 'PUT',
      body: bytes.subarray(5000),
      headers: { 'Content-Range': '5000-7999' }
    })
    expect(put.status).toBe(201)
    await second.close()
  })

  it('purges uploads nobody touched for the configured time, and never one in use', async () => {
    const start = await req('/v2/purge/app/blobs/uploads/', { method: 'POST' })
    const location = start.headers.get('location')!
    const uuid = location.split('/').pop()!
    const fresh = await req('/v2/purge/app/blobs/uploads/', { method: 'POST' })
    const old = new Date(Date.now() - 48 * 3600_000)
    const dir = join(b.dataDir, 'docker/registry/v2/repositories/purge/app/_uploads', uuid)
    await utimes(join(dir, 'data'), old, old)
    await b.registry.purgeUploads()
    expect((await req(location)).status).toBe(404)
    expect((await req(fresh.headers.get('location')!)).status).toBe(204)
  })
})

describe('cross-repository mount', () => {
  it('mounts from a repository that has the blob (201), falls back to an upload session when it does not (202)', async () => {
    const digest = await pushBlob('mount/source', randomBytes(1234))
    const mounted = await req(`/v2/mount/target/blobs/uploads/?mount=${digest}&from=mount/source`, { method: 'POST' })
    expect(mounted.status).toBe(201)
    expect(mounted.headers.get('location')).toBe(`/v2/mount/target/blobs/${digest}`)
    expect(mounted.headers.get('docker-content-digest')).toBe(digest)
    expect((await req(`/v2/mount/target/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200)

    const absent = sha(Buffer.from('never pushed'))
    const fallback = await req(`/v2/mount/target/blobs/uploads/?mount=${absent}&from=mount/source`, { method: 'POST' })
    expect(fallback.status).toBe(202)
    expect(fallback.headers.get('location')).toMatch(/\/blobs\/uploads\//)
  })
  it('without from, mounts any blob the registry already stores (automatic content discovery)', async () => {
    const digest = await pushBlob('auto/source', randomBytes(99))
    const res = await req(`/v2/auto/target/blobs/uploads/?mount=${digest}`, { method: 'POST' })
    expect(res.status).toBe(201)
  })
})

describe('blob reads', () => {
  let digest: string
  const bytes = randomBytes(1000)
  beforeAll(async () => {
    digest = await pushBlob('range/app', bytes)
  })
  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=900-', 900, 999],
    ['bytes=-10', 990, 999],
    ['bytes=500-5000', 500, 999]
  ])('Range %s → 206', async (range, start, end) => {
    const res = await req(`/v2/range/app/blobs/${digest}`, { headers: { Range: range } })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`)
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1))).toBe(true)
  })
  it.each(['bytes=1000-', 'bytes=5-2', 'bytes=-0', 'bytes=abc'])('Range %s → 416', async (range) => {
    const res = await req(`/v2/range/app/blobs/${digest}`, { headers: { Range: range } })
    expect(res.status).toBe(416)
    expect(res.headers.get('content-range')).toBe('bytes */1000')
    expect(await errorsOf(res)).toEqual(['BLOB_UPLOAD_INVALID'])
  })
  it('a blob of another repository is BLOB_UNKNOWN here; an unknown repository is NAME_UNKNOWN', async () => {
    await pushImage('range/other', 'x')
    const res = await req(`/v2/range/other/blobs/${digest}`)
    expect(res.status).toBe(404)
    expect(await errorsOf(res)).toEqual(['BLOB_UNKNOWN'])
    const nobody = await req(`/v2/no/such/repo/blobs/${digest}`)
    expect(nobody.status).toBe(404)
    expect(await errorsOf(nobody)).toEqual(['NAME_UNKNOWN'])
    const head = await req(`/v2/range/other/blobs/${digest}`, { method: 'HEAD' })
    expect(head.status).toBe(404)
  })
  it('DELETE unlinks the blob from the repository (202), then it is unknown', async () => {
    const d = await pushBlob('range/del', randomBytes(10))
    const del = await req(`/v2/range/del/blobs/${d}`, { method: 'DELETE' })
    expect(del.status).toBe(202)
    expect((await req(`/v2/range/del/blobs/${d}`)).status).toBe(404)
    expect((await req(`/v2/range/del/blobs/${d}`, { method: 'DELETE' })).status).toBe(404)
  })
})

describe('manifests', () => {
  it('PUT by tag answers 201 with Location and digest; GET/HEAD by tag and digest return the exact bytes and type', async () => {
    const { manifest, digest, res } = await pushImage('man/app', 'v1')
    expect(res.headers.get('location')).toBe(`/v2/man/app/manifests/${digest}`)
    expect(res.headers.get('docker-content-digest')).toBe(digest)
    for (const ref of ['v1', digest]) {
      const get = await req(`/v2/man/app/manifests/${ref}`, { headers: { Accept: OCI_MANIFEST } })
      expect(get.status).toBe(200)
      expect(get.headers.get('content-type')).toBe(OCI_MANIFEST)
      expect(get.headers.get('docker-content-digest')).toBe(digest)
      expect(Buffer.from(await get.arrayBuffer()).equals(manifest)).toBe(true)
      const head = await req(`/v2/man/app/manifests/${ref}`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-length')).toBe(String(manifest.length))
    }
  })

  it('keeps the bytes exactly (whitespace and key order) and the Docker media type', async () => {
    const layer = randomBytes(50)
    const config = await pushBlob('man/docker', EMPTY_JSON)
    const l = await pushBlob('man/docker', layer)
    const text = `{\n   "schemaVersion": 2,\n   "mediaType": "${DOCKER_MANIFEST}",\n   "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2, "digest": "${config}"},\n   "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 50, "digest": "${l}"}]\n}`
    const put = await req('/v2/man/docker/manifests/latest', { method: 'PUT', body: text, headers: { 'Content-Type': DOCKER_MANIFEST } })
    expect(put.status).toBe(201)
    const get = await req('/v2/man/docker/manifests/latest', { headers: { Accept: DOCKER_MANIFEST } })
    expect(get.headers.get('content-type')).toBe(DOCKER_MANIFEST)
    expect(await get.text()).toBe(text)
    expect(get.headers.get('docker-content-digest')).toBe(sha(Buffer.from(text)))
  })

  it('PUT by digest stores an untagged manifest; a digest that does not match the body is DIGEST_INVALID', async () => {
    const layer = await pushBlob('man/bydigest', randomBytes(10))
    const config = await pushBlob('man/bydigest', EMPTY_JSON)
    const manifest = imageManifest(config, [{ digest: layer, size: 10 }])
    const ok = await req(`/v2/man/bydigest/manifests/${sha(manifest)}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(ok.status).toBe(201)
    const bad = await req(`/v2/man/bydigest/manifests/${sha(Buffer.from('x'))}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(bad.status).toBe(400)
    expect(await errorsOf(bad)).toEqual(['DIGEST_INVALID'])
  })

  it('a manifest whose blobs the repository lacks is MANIFEST_BLOB_UNKNOWN (even if another repository has them)', async () => {
    const { layerDigest } = await pushImage('man/has', 'v1')
    const config = await pushBlob('man/lacks', EMPTY_JSON)
    const manifest = imageManifest(config, [{ digest: layerDigest, size: 1000 }])
    const res = await req('/v2/man/lacks/manifests/v1', { method: 'PUT', body: manifest, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(res.status).toBe(400)
    expect(await errorsOf(res)).toEqual(['MANIFEST_BLOB_UNKNOWN'])
  })

  it('an index needs its child manifests in the repository; with them it is stored and served as an index', async () => {
    const a = await pushImage('man/index', 'amd64')
    const missingChild = sha(Buffer.from('nope'))
    const index = (children: string[]) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: children.map((digest, i) => ({
            mediaType: OCI_MANIFEST,
            digest,
            size: a.manifest.length,
            platform: { os: 'linux', architecture: i === 0 ? 'amd64' : 'arm64' }
          }))
        })
      )
    const bad = await req('/v2/man/index/manifests/multi', { method: 'PUT', body: index([a.digest, missingChild]), headers: { 'Content-Type': OCI_INDEX } })
    expect(bad.status).toBe(400)
    expect(await errorsOf(bad)).toEqual(['MANIFEST_BLOB_UNKNOWN'])
    const good = index([a.digest])
    const ok = await req('/v2/man/index/manifests/multi', { method: 'PUT', body: good, headers: { 'Content-Type': OCI_INDEX } })
    expect(ok.status).toBe(201)
    const get = await req('/v2/man/index/manifests/multi', { headers: { Accept: `${OCI_INDEX}, ${OCI_MANIFEST}` } })
    expect(get.headers.get('content-type')).toBe(OCI_INDEX)
    expect(Buffer.from(await get.arrayBuffer()).equals(good)).toBe(true)
  })

  it.each([
    ['not JSON', 'nope', OCI_MANIFEST],
    ['schema 1', JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }), 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
    ['no layers', JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'a', digest: sha(EMPTY_JSON), size: 2 } }), OCI_MANIFEST],
    ['a bad descriptor digest', JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'a', digest: 'sha256:zz', size: 2 }, layers: [] }), OCI_MANIFEST],
    ['Content-Type and mediaType disagree', JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }), OCI_MANIFEST]
  ])('%s is MANIFEST_INVALID', async (_, body, type) => {
    const res = await req('/v2/man/invalid/manifests/t', { method: 'PUT', body, headers: { 'Content-Type': type } })
    expect(res.status).toBe(400)
    expect(await errorsOf(res)).toEqual(['MANIFEST_INVALID'])
  })

  it('a manifest over 4 MiB is refused with 413 before it is read whole', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20)
    const res = await req('/v2/man/big/manifests/t', { method: 'PUT', body: big, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(res.status).toBe(413)
    expect(await errorsOf(res)).toEqual(['MANIFEST_INVALID'])
  })

  it('honours Accept: a type the client cannot take is not served', async () => {
    await pushImage('man/accept', 'v1')
    const res = await req('/v2/man/accept/manifests/v1', { headers: { Accept: DOCKER_MANIFEST } })
    expect(res.status).toBe(404)
    expect(await errorsOf(res)).toEqual(['MANIFEST_UNKNOWN'])
    const any = await req('/v2/man/accept/manifests/v1', { headers: { Accept: '*/*' } })
    expect(any.status).toBe(200)
  })

  it('unknown tag → MANIFEST_UNKNOWN, unknown repository → NAME_UNKNOWN, bad tag → TAG_INVALID, bad digest → DIGEST_INVALID', async () => {
    const unknown = await req('/v2/man/app/manifests/nope')
    expect(unknown.status).toBe(404)
    expect(await errorsOf(unknown)).toEqual(['MANIFEST_UNKNOWN'])
    const repo = await req('/v2/nobody/home/manifests/latest')
    expect(repo.status).toBe(404)
    expect(await errorsOf(repo)).toEqual(['NAME_UNKNOWN'])
    const tag = await req('/v2/man/app/manifests/.bad', { method: 'PUT', body: '{}' })
    expect(tag.status).toBe(400)
    expect(await errorsOf(tag)).toEqual(['TAG_INVALID'])
    const digest = await req('/v2/man/app/manifests/sha256:123')
    expect(digest.status).toBe(400)
    expect(await errorsOf(digest)).toEqual(['DIGEST_INVALID'])
    const algo = await req(`/v2/man/app/manifests/md5:${'a'.repeat(32)}`)
    expect(algo.status).toBe(400)
    expect(await errorsOf(algo)).toEqual(['DIGEST_INVALID'])
  })

  it('DELETE by tag removes only the tag; DELETE by digest removes the manifest and the tags pointing to it', async () => {
    const { digest } = await pushImage('man/delete', 'one')
    await req(`/v2/man/delete/manifests/two`, { method: 'PUT', body: (await (await req(`/v2/man/delete/manifests/one`)).arrayBuffer()), headers: { 'Content-Type': OCI_MANIFEST } })
    const untag = await req('/v2/man/delete/manifests/one', { method: 'DELETE' })
    expect(untag.status).toBe(202)
    expect((await req('/v2/man/delete/manifests/one')).status).toBe(404)
    expect((await req(`/v2/man/delete/manifests/${digest}`)).status).toBe(200)
    const del = await req(`/v2/man/delete/manifests/${digest}`, { method: 'DELETE' })
    expect(del.status).toBe(202)
    expect((await req(`/v2/man/delete/manifests/${digest}`)).status).toBe(404)
    expect((await req('/v2/man/delete/manifests/two')).status).toBe(404)
    const tags = (await (await req('/v2/man/delete/tags/list')).json()) as { tags: string[] }
    expect(tags.tags).toEqual([])
    const again = await req(`/v2/man/delete/manifests/${digest}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await errorsOf(again)).toEqual(['MANIFEST_UNKNOWN'])
  })
})

describe('referrers', () => {
  it('lists manifests whose subject is the digest, filters by artifactType, answers an empty index otherwise', async () => {
    const subject = await pushImage('ref/app', 'v1')
    const sbomConfig = await pushBlob('ref/app', EMPTY_JSON)
    const artifact = (type: string, annotation: string) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: type,
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sbomConfig, size: 2 },
          layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: sbomConfig, size: 2 }],
          subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.manifest.length },
          annotations: { 'org.example.note': annotation }
        })
      )
    const sbom = artifact('application/spdx+json', 'sbom')
    const sig = artifact('application/vnd.example.signature', 'sig')
    for (const m of [sbom, sig]) {
      const res = await req(`/v2/ref/app/manifests/${sha(m)}`, { method: 'PUT', body: m, headers: { 'Content-Type': OCI_MANIFEST } })
      expect(res.status).toBe(201)
      expect(res.headers.get('oci-subject')).toBe(subject.digest)
    }
    const all = await req(`/v2/ref/app/referrers/${subject.digest}`)
    expect(all.status).toBe(200)
    expect(all.headers.get('content-type')).toBe(OCI_INDEX)
    const index = (await all.json()) as { schemaVersion: number; mediaType: string; manifests: { digest: string; artifactType: string; size: number; annotations: Record<string, string> }[] }
    expect(index.schemaVersion).toBe(2)
    expect(index.mediaType).toBe(OCI_INDEX)
    expect(index.manifests.map((m) => m.digest).sort()).toEqual([sha(sbom), sha(sig)].sort())
    const sbomEntry = index.manifests.find((m) => m.digest === sha(sbom))!
    expect(sbomEntry).toMatchObject({ artifactType: 'application/spdx+json', size: sbom.length, annotations: { 'org.example.note': 'sbom' } })

    const filtered = await req(`/v2/ref/app/referrers/${subject.digest}?artifactType=application/spdx%2Bjson`)
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType')
    const f = (await filtered.json()) as { manifests: { digest: string }[] }
    expect(f.manifests.map((m) => m.digest)).toEqual([sha(sbom)])

    await req(`/v2/ref/app/manifests/${sha(sig)}`, { method: 'DELETE' })
    const afterDelete = (await (await req(`/v2/ref/app/referrers/${subject.digest}`)).json()) as { manifests: unknown[] }
    expect(afterDelete.manifests).toHaveLength(1)

    const none = await req(`/v2/ref/app/referrers/${sha(Buffer.from('nothing refers to me'))}`)
    expect(none.status).toBe(200)
    expect(((await none.json()) as { manifests: unknown[] }).manifests).toEqual([])
    const bad = await req('/v2/ref/app/referrers/sha256:nope')
    expect(bad.status).toBe(400)
  })
})

describe('listing and pagination', () => {
  beforeAll(async () => {
    for (const name of ['page/a', 'page/b', 'page/c', 'page/d', 'page/e']) await pushBlob(name, randomBytes(8))
    for (const tag of ['t1', 't2', 't3', 't4', 't5']) await pushImage('page/tags', tag)
  })

  async function walk(first: string): Promise<string[][]> {
    const pages: string[][] = []
    let next: string | null = first
    while (next) {
      const res = await req(next)
      expect(res.status).toBe(200)
      const body = (await res.json()) as { repositories?: string[]; tags?: string[] }
      pages.push(body.repositories ?? body.tags ?? [])
      const link = res.headers.get('link')
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : null
    }
    return pages
  }

  it('catalog pages follow Link rel="next" and cover every repository once, in order', async () => {
    const pages = await walk('/v2/_catalog?n=2')
    const flat = pages.flat()
    expect(pages.every((p) => p.length <= 2)).toBe(true)
    expect(flat).toEqual([...flat].sort())
    expect(new Set(flat).size).toBe(flat.length)
    expect(flat).toEqual(expect.arrayContaining(['page/a', 'page/b', 'page/c', 'page/d', 'page/e', 'page/tags']))
  })

  it('tags pages follow Link and last', async () => {
    const pages = await walk('/v2/page/tags/tags/list?n=2')
    expect(pages).toEqual([['t1', 't2'], ['t3', 't4'], ['t5']])
    const after = (await (await req('/v2/page/tags/tags/list?last=t3')).json()) as { name: string; tags: string[] }
    expect(after).toEqual({ name: 'page/tags', tags: ['t4', 't5'] })
    const zero = (await (await req('/v2/page/tags/tags/list?n=0')).json()) as { tags: string[] }
    expect(zero.tags).toEqual([])
  })

  it('catalog n above 1,000 is clamped; a bad n is a 400 with a spec code (UNSUPPORTED)', async () => {
    const res = await req('/v2/_catalog?n=999999999')
    expect(res.status).toBe(200)
    for (const n of ['-1', 'abc', '1.5']) {
      const bad = await req(`/v2/_catalog?n=${n}`)
      expect(bad.status).toBe(400)
      expect(await errorsOf(bad)).toEqual(['UNSUPPORTED'])
    }
    const badTags = await req('/v2/page/tags/tags/list?n=x')
    expect(await errorsOf(badTags)).toEqual(['UNSUPPORTED'])
  })

  it('tags of an unknown repository is NAME_UNKNOWN', async () => {
    const res = await req('/v2/never/pushed/tags/list')
    expect(res.status).toBe(404)
    expect(await errorsOf(res)).toEqual(['NAME_UNKNOWN'])
  })
})

describe('names and path tricks never reach the filesystem', () => {
  it.each([
    '/v2/UPPER/tags/list',
    '/v2/a%2Fb/tags/list',
    '/v2/a%2e%2e/tags/list',
    `/v2/${'a'.repeat(256)}/tags/list`,
    '/v2/a//b/tags/list',
    '/v2/-a/blobs/uploads/'
  ])('%s → NAME_INVALID', async (path) => {
    const res = await fetch(`${b.url}${path}`, { method: path.endsWith('uploads/') ? 'POST' : 'GET' })
    expect(res.status).toBe(400)
    expect(await errorsOf(res)).toEqual(['NAME_INVALID'])
  })
  it('dot segments are not resolved: /v2/a/../b is an invalid name, not b', async () => {
    // fetch() would normalise the path, so send it raw.
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port: b.port, path: '/v2/a/../b/tags/list' }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      r.on('error', reject)
      r.end()
    })
    expect(status).toBe(400)
    expect(JSON.parse(body).errors[0].code).toBe('NAME_INVALID')
  })
  it('an over-long path is refused', async () => {
    const res = await fetch(`${b.url}/v2/${'a/'.repeat(3000)}x/tags/list`)
    expect(res.status).toBe(400)
  })
  it('HEAD errors carry the status but no body', async () => {
    const res = await req('/v2/UPPER/manifests/x', { method: 'HEAD' })
    expect(res.status).toBe(400)
    expect(await res.text()).toBe('')
  })
})
