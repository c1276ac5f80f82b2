import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { beforeAll, describe, expect, it } from 'vitest'
import { OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, EMPTY_JSON, sha, b, req, errorsOf, pushBlob, imageManifest, pushImage } from '../helpers/registry-api'

// The registry API over raw HTTP, in process: every endpoint, every error path, as the spec words it.

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
