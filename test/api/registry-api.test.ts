import { createHash, randomBytes } from 'node:crypto'
import { readdir, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { startBerth } from '../helpers/berth'
import { sha, b, req, errorsOf, pushBlob, pushImage } from '../helpers/registry-api'

// The registry API over raw HTTP, in process: every endpoint, every error path, as the spec words it.

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
