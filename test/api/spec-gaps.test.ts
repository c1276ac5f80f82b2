import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, EMPTY_JSON, sha, req, errorsOf, pushBlob, imageManifest } from '../helpers/registry-api'
import { MAX_PUSH_TAGS } from '../../src/main/registry/handlers/manifests'

// The spec gaps closed by issue 10: ambiguous manifests (CVE-2021-41190), malformed digests in blob
// routes, and the distribution-spec's "pushing tags" with a push by digest (?tag=, OCI-Tag).

const sha512 = (b: Uint8Array) => `sha512:${createHash('sha512').update(b).digest('hex')}`

async function image(name: string) {
  const layer = randomBytes(100)
  const config = await pushBlob(name, EMPTY_JSON)
  const l = await pushBlob(name, layer)
  return imageManifest(config, [{ digest: l, size: layer.length }])
}

async function tagsOf(name: string): Promise<string[]> {
  const res = await req(`/v2/${name}/tags/list`)
  return ((await res.json()) as { tags: string[] }).tags
}

describe('ambiguous manifests are refused (CVE-2021-41190)', () => {
  it.each([
    ['an image manifest carrying "manifests"', OCI_MANIFEST, (m: Record<string, unknown>) => ({ ...m, manifests: [] })],
    ['an index carrying "layers"', OCI_INDEX, (m: Record<string, unknown>) => ({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [], layers: m.layers })],
    ['an index carrying "config"', OCI_INDEX, (m: Record<string, unknown>) => ({ schemaVersion: 2, manifests: [], config: m.config })],
    ['a mediaType that contradicts the Content-Type', DOCKER_MANIFEST, (m: Record<string, unknown>) => m],
    ['both shapes, with a Content-Type that names neither', 'application/json', (m: Record<string, unknown>) => ({ ...m, mediaType: undefined, manifests: [] })]
  ])('%s → 400 MANIFEST_INVALID, nothing stored', async (_what, contentType, shape) => {
    const name = `ambiguous/${randomBytes(4).toString('hex')}`
    const body = Buffer.from(JSON.stringify(shape(JSON.parse((await image(name)).toString()) as Record<string, unknown>)))
    const res = await req(`/v2/${name}/manifests/v1`, { method: 'PUT', body, headers: { 'Content-Type': contentType } })
    expect(res.status).toBe(400)
    expect(await errorsOf(res)).toEqual(['MANIFEST_INVALID'])
    expect((await req(`/v2/${name}/manifests/${sha(body)}`, { method: 'HEAD' })).status).toBe(404)
  })
})

describe('a malformed digest in a blob route', () => {
  it.each(['sha256:abc', 'sha256:ABCDEF', 'sha256%3A' + 'a'.repeat(64), 'md5:' + 'a'.repeat(32), 'abc', 'sha256:' + 'g'.repeat(64)])(
    '/v2/x/blobs/%s is DIGEST_INVALID (never NAME_INVALID)',
    async (digest) => {
      for (const method of ['GET', 'DELETE']) {
        const res = await req(`/v2/x/blobs/${digest}`, { method })
        expect(res.status).toBe(400)
        expect(await errorsOf(res)).toEqual(['DIGEST_INVALID'])
      }
      const head = await req(`/v2/x/blobs/${digest}`, { method: 'HEAD' })
      expect(head.status).toBe(400)
    }
  )
  it('an encoded name is still NAME_INVALID, and an encoded upload id an unknown upload', async () => {
    expect(await errorsOf(await req(`/v2/a%2Fb/blobs/${sha(EMPTY_JSON)}`))).toEqual(['NAME_INVALID'])
    expect(await errorsOf(await req('/v2/a/blobs/uploads/%2e%2e%2fx'))).toEqual(['BLOB_UPLOAD_UNKNOWN'])
  })
})

describe('pushing tags with a push by digest (?tag=)', () => {
  it('writes every tag, answers one OCI-Tag per tag, and the tags resolve to the digest', async () => {
    const name = 'tags/multi'
    const body = await image(name)
    const digest = sha(body)
    const res = await req(`/v2/${name}/manifests/${digest}?tag=1.2.3&tag=1.2&tag=1&tag=latest`, { method: 'PUT', body, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(res.status).toBe(201)
    expect(res.headers.get('docker-content-digest')).toBe(digest)
    // fetch joins repeated fields with ", " (RFC 9110's list syntax).
    expect(res.headers.get('oci-tag')?.split(/,\s*/)).toEqual(['1.2.3', '1.2', '1', 'latest'])
    expect(await tagsOf(name)).toEqual(['1', '1.2', '1.2.3', 'latest'])
    for (const tag of ['1', 'latest']) expect((await req(`/v2/${name}/manifests/${tag}`, { method: 'HEAD' })).headers.get('docker-content-digest')).toBe(digest)
  })

  it('works for a sha512 digest too: the tags point at the sha512 name', async () => {
    const name = 'tags/sha512'
    const body = await image(name)
    const digest = sha512(body)
    const res = await req(`/v2/${name}/manifests/${digest}?tag=a&tag=b`, { method: 'PUT', body, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(res.status).toBe(201)
    expect(res.headers.get('oci-tag')).toBe('a, b')
    const get = await req(`/v2/${name}/manifests/b`, { headers: { Accept: OCI_MANIFEST } })
    expect(get.headers.get('docker-content-digest')).toBe(digest)
    expect(Buffer.from(await get.arrayBuffer()).equals(body)).toBe(true)
  })

  it('refuses an invalid tag, a digest that does not match the body, and too many tags — before writing any of them', async () => {
    const name = 'tags/refused'
    const body = await image(name)
    const digest = sha(body)
    const bad = await req(`/v2/${name}/manifests/${digest}?tag=ok&tag=-bad`, { method: 'PUT', body, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(bad.status).toBe(400)
    expect(await errorsOf(bad)).toEqual(['TAG_INVALID'])
    const wrong = await req(`/v2/${name}/manifests/${sha(Buffer.from('other'))}?tag=ok`, { method: 'PUT', body, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(await errorsOf(wrong)).toEqual(['DIGEST_INVALID'])
    const many = Array.from({ length: MAX_PUSH_TAGS + 1 }, (_, i) => `tag=t${i}`).join('&')
    const tooMany = await req(`/v2/${name}/manifests/${digest}?${many}`, { method: 'PUT', body, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(tooMany.status).toBe(414)
    expect(await errorsOf(tooMany)).toEqual(['UNSUPPORTED'])
    expect((await req(`/v2/${name}/tags/list`)).status).toBe(200)
    expect(await tagsOf(name)).toEqual([])
  })

  it('a push by tag ignores ?tag= (the spec defines them for digests) and says so by sending no OCI-Tag', async () => {
    const name = 'tags/bytag'
    const body = await image(name)
    const res = await req(`/v2/${name}/manifests/v1?tag=other`, { method: 'PUT', body, headers: { 'Content-Type': OCI_MANIFEST } })
    expect(res.status).toBe(201)
    expect(res.headers.get('oci-tag')).toBeNull()
    expect(await tagsOf(name)).toEqual(['v1'])
  })
})
