import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OCI_MANIFEST, OCI_INDEX, OCTET, sha, call, put, postPut, pretty, type Answer } from '../helpers/conformance'

// The OCI distribution-spec conformance suites' expectations (conformance/0[1-4]_*_test.go and
// conformance2), replayed over raw HTTP against the in-process registry: the four workflows in the
// order and in the one namespace the suite uses, then the chunked, bad-digest and listing cases of
// the newer suite. Every JSON error body seen on the way is checked against the spec's code table.

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
