import { describe, expect, it } from 'vitest'
import { digestOf } from '../core/manifests'
import { renderAsOci } from './oci-compat'

const d = (c: string) => `sha256:${c.repeat(64)}`

const dockerManifest = Buffer.from(
  JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 10, digest: d('a') },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 20, digest: d('b') },
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: 30, digest: d('c') }
      ]
    },
    null,
    3
  )
)

describe('renderAsOci', () => {
  it('renders a schema-2 manifest with OCI media types, same blobs', async () => {
    const r = (await renderAsOci(dockerManifest, async () => null))!
    const json = JSON.parse(r.bytes.toString())
    expect(json.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(json.config).toEqual({ mediaType: 'application/vnd.oci.image.config.v1+json', size: 10, digest: d('a') })
    expect(json.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar'])
    expect(r.digest.value).toBe(digestOf(r.bytes).value)
    expect([...r.blobs.keys()]).toEqual([r.digest.value])
  })

  it('renders a manifest list and its docker children; the same input always gives the same bytes', async () => {
    const child = digestOf(dockerManifest).value
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
        manifests: [{ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: dockerManifest.length, digest: child, platform: { os: 'linux', architecture: 'amd64' } }]
      })
    )
    const read = async (digest: string) => (digest === child ? dockerManifest : null)
    const r = (await renderAsOci(list, read))!
    const json = JSON.parse(r.bytes.toString())
    expect(json.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(json.manifests[0]).toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json', platform: { os: 'linux', architecture: 'amd64' } })
    expect(r.blobs.size).toBe(2)
    expect((await renderAsOci(list, read))!.digest).toEqual(r.digest)
    expect(await renderAsOci(list, async () => null)).toBeNull()
  })

  it('leaves OCI manifests alone', async () => {
    expect(await renderAsOci(Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}'), async () => null)).toBeNull()
  })
})
