import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import tar from 'tar-stream'
import { describe, expect, it } from 'vitest'
import { savedImage } from './image-manifest'
import { readSaveStream, type LayerEntry } from './save-reader'

// The save layouts this engine does not write (Docker 20.10 is tested against the real engine in
// test/integration/vm-engine.test.ts), built here entry by entry: Docker 25+'s OCI layout with the
// graph driver (layers named by diff ID) and with the containerd store (compressed layers named by
// their own digest), in an order where the describing files come last.

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const path = (digest: string) => `blobs/sha256/${digest.slice(7)}`

function archive(entries: [string, Buffer | { link: string }][]): Readable {
  const pack = tar.pack()
  for (const [name, body] of entries) {
    if (Buffer.isBuffer(body)) pack.entry({ name, size: body.length }, body)
    else pack.entry({ name, type: 'symlink', linkname: body.link })
  }
  pack.finalize()
  return pack as unknown as Readable
}

function image(layers: Buffer[], stored: Buffer[]) {
  const diffIds = layers.map(sha)
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }))
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: stored.map((b) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(b), size: b.length }))
    })
  )
  return { diffIds, config, manifest }
}

async function read(stream: Readable, diffIds: string[]) {
  const seen: Omit<LayerEntry, 'content'>[] = []
  const contents = await readSaveStream(stream, diffIds, async ({ content, ...layer }) => {
    let bytes = 0
    for await (const chunk of content) bytes += chunk.length
    expect(bytes).toBe(layer.size)
    seen.push(layer)
  })
  return { contents, seen }
}

describe('reading a docker save stream', () => {
  const layers = [randomBytes(70_000), randomBytes(1000)]

  it('Docker 25+ (graph driver): layers named by diff ID are known before their bytes; the image comes from manifest.json', async () => {
    const { diffIds, config, manifest } = image(layers, layers)
    const stream = archive([
      [path(diffIds[1]), layers[1]],
      [path(sha(config)), config],
      [path(diffIds[0]), layers[0]],
      [path(sha(manifest)), manifest],
      ['index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ digest: sha(manifest), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: manifest.length }] }))],
      ['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')],
      ['manifest.json', Buffer.from(JSON.stringify([{ Config: path(sha(config)), RepoTags: ['app:1'], Layers: diffIds.map(path) }]))],
      ['repositories', Buffer.from('{}')]
    ])
    const { contents, seen } = await read(stream, diffIds)
    expect(seen.map((l) => l.diffId)).toEqual([diffIds[1], diffIds[0]])
    const saved = savedImage(contents, sha(config), diffIds)
    expect(saved.config.equals(config)).toBe(true)
    expect(saved.layers).toEqual(diffIds.map(path))
  })

  it('Docker 25+ (containerd store): compressed layers named by their digest, found through index.json alone', async () => {
    const gz = layers.map((l) => gzipSync(l))
    const { diffIds, config, manifest } = image(layers, gz)
    const stream = archive([
      [path(sha(gz[0])), gz[0]],
      [path(sha(gz[1])), gz[1]],
      [path(sha(manifest)), manifest],
      [path(sha(config)), config],
      ['index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ digest: sha(manifest) }] }))]
    ])
    const { contents, seen } = await read(stream, diffIds)
    expect(seen.map((l) => [l.diffId, l.namedDigest, l.head.subarray(0, 2).toString('hex')])).toEqual(gz.map((g) => [null, sha(g), '1f8b']))
    expect(savedImage(contents, sha(config), diffIds).layers).toEqual(gz.map((g) => path(sha(g))))
  })

  it('Podman: `<diff-id>.tar` files, linked from the legacy folders that manifest.json may name', async () => {
    const { diffIds, config } = image(layers, layers)
    const stream = archive([
      [`${diffIds[0].slice(7)}.tar`, layers[0]],
      [`${diffIds[1].slice(7)}.tar`, layers[1]],
      [`${sha(config).slice(7)}.json`, config],
      [`${'a'.repeat(64)}/layer.tar`, { link: `../${diffIds[0].slice(7)}.tar` }],
      [`${'b'.repeat(64)}/layer.tar`, { link: `../${diffIds[1].slice(7)}.tar` }],
      ['manifest.json', Buffer.from(JSON.stringify([{ Config: `${sha(config).slice(7)}.json`, Layers: [`${'a'.repeat(64)}/layer.tar`, `${'b'.repeat(64)}/layer.tar`] }]))]
    ])
    const { contents, seen } = await read(stream, diffIds)
    expect(seen.map((l) => l.diffId)).toEqual(diffIds)
    expect(savedImage(contents, sha(config), diffIds).layers).toEqual(diffIds.map((d) => `${d.slice(7)}.tar`))
  })

  it('refuses an export whose config is not the image asked for', async () => {
    const { diffIds, config } = image(layers, layers)
    const stream = archive([
      [`${sha(config).slice(7)}.json`, config],
      ['manifest.json', Buffer.from(JSON.stringify([{ Config: `${sha(config).slice(7)}.json`, Layers: diffIds.map((d) => `${d.slice(7)}.tar`) }]))]
    ])
    const { contents } = await read(stream, diffIds)
    expect(() => savedImage(contents, `sha256:${'0'.repeat(64)}`, diffIds)).toThrow(/not this image/)
  })
})
