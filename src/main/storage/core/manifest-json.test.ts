import { describe, expect, it } from 'vitest'
import { describeStored, ManifestError, MediaType, mediaTypeOf, parseManifest } from './manifest-json'

const d = (c: string) => `sha256:${c.repeat(64)}`
const image = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  mediaType: MediaType.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('a'), size: 10 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('b'), size: 20 }],
  ...extra
})
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v))

describe('manifest parsing', () => {
  it('reads an image manifest: the blobs it needs (foreign layers excepted) and its artifact type', () => {
    const foreign = { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('c'), size: 5, urls: ['https://example.com/l'] }
    const parsed = parseManifest(bytes(image({ layers: [image().layers[0], foreign] })), MediaType.ociManifest)
    expect(parsed.kind).toBe('image')
    expect(parsed.blobs.map((x) => x.value)).toEqual([d('a'), d('b')])
    expect(parsed.artifactType).toBe('application/vnd.oci.image.config.v1+json')
  })

  it('reads an index: its children are manifests, not blobs', () => {
    const index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, digest: d('e'), size: 300 }] }
    const parsed = parseManifest(bytes(index))
    expect(parsed).toMatchObject({ kind: 'index', blobs: [] })
    expect(parsed.manifests.map((x) => x.value)).toEqual([d('e')])
  })

  it.each([
    ['not JSON', Buffer.from('{nope'), undefined, /not valid JSON/],
    ['schema 1', bytes({ schemaVersion: 1, name: 'x' }), undefined, /schema 1/],
    ['a bad descriptor', bytes(image({ layers: [{ mediaType: 'x', digest: 'sha256:zz', size: 1 }] })), undefined, /layers\[0\]\.digest/],
    ['a Content-Type that contradicts mediaType', bytes(image()), MediaType.dockerManifest, /differs/],
    ['no layers array', bytes({ ...image(), layers: undefined }), undefined, /layers/],
    // CVE-2021-41190: one document that two clients would read as two different kinds.
    ['an image manifest carrying "manifests"', bytes(image({ manifests: [] })), MediaType.ociManifest, /ambiguous/],
    ['an image manifest carrying "manifests", by its mediaType alone', bytes(image({ manifests: [] })), 'application/json', /ambiguous/],
    ['an index carrying "layers"', bytes({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [], layers: [] }), undefined, /ambiguous/],
    ['an index carrying "config"', bytes({ schemaVersion: 2, manifests: [], config: image().config }), MediaType.dockerList, /ambiguous/],
    ['a shape with both, no mediaType and no Content-Type', bytes({ schemaVersion: 2, manifests: [], config: image().config, layers: [] }), undefined, /ambiguous/],
    ['an index mediaType under an image Content-Type', bytes({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }), MediaType.ociManifest, /differs/]
  ])('refuses %s', (_what, body, contentType, message) => {
    expect(() => parseManifest(body, contentType)).toThrow(ManifestError)
    expect(() => parseManifest(body, contentType)).toThrow(message)
  })

  it('serves a stored manifest with its own media type, or what its shape says; odd stored bytes are not an error', () => {
    expect(mediaTypeOf({ schemaVersion: 2, manifests: [] })).toBe(MediaType.ociIndex)
    expect(mediaTypeOf({ schemaVersion: 2, config: {} })).toBe(MediaType.ociManifest)
    expect(describeStored(Buffer.from('garbage'))).toBeNull()
    expect(describeStored(bytes(image({ subject: { mediaType: MediaType.ociManifest, digest: d('f'), size: 1 } })))?.subject?.digest).toBe(d('f'))
  })
})
