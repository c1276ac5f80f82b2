import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { beforeAll, describe, expect, it } from 'vitest'
import { OCI_MANIFEST, OCI_INDEX, OCTET, SPEC_CODES, sha, sha512, b, seenCodes, call, put, type Answer } from '../helpers/conformance'

// The OCI distribution-spec conformance suites' expectations (conformance/0[1-4]_*_test.go and
// conformance2), replayed over raw HTTP against the in-process registry: the four workflows in the
// order and in the one namespace the suite uses, then the chunked, bad-digest and listing cases of
// the newer suite. Every JSON error body seen on the way is checked against the spec's code table.

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
