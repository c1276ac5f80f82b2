import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { afterEach, describe, expect, it } from 'vitest'
import { parseDigest, type Digest } from '@shared/reference'
import { openStorage } from '../index'
import { collectGarbage, storageUsage } from '../manage'
import { importArchive } from './import'
import { CONVERTED_FROM, renderAsOci } from './oci-compat'

// An import leaves no unreferenced blob behind (issue 14, defect 6): the OCI rendering of a docker
// manifest (listed in index.json, replaced by the original it names), and entries no image reaches,
// are taken back out of the store — so the Storage card, the window's dry run and the CLI's agree.

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})
const temp = async () => {
  const d = await mkdtemp(join(tmpdir(), 'berth-orphans-'))
  dirs.push(d)
  return d
}

async function writeTar(file: string, entries: [string, Buffer][]): Promise<void> {
  const pack = tar.pack()
  const done = pipeline(pack, createWriteStream(file))
  for (const [name, data] of entries) await new Promise<void>((resolve, reject) => pack.entry({ name }, data, (err) => (err ? reject(err) : resolve())))
  pack.finalize()
  await done
}

/** An OCI archive as Berth exports a docker-pushed image: the rendering listed, the original beside it, plus a stray blob. */
async function compatArchive(file: string, stray: Buffer) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }))
  const layer = randomBytes(4096)
  const original = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: layer.length, digest: sha(layer) }]
    })
  )
  const rendering = (await renderAsOci(original, async () => null))!
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: rendering.mediaType,
        digest: rendering.digest.value,
        size: rendering.bytes.length,
        annotations: { 'io.containerd.image.name': 'team/app:1', 'org.opencontainers.image.ref.name': '1', [CONVERTED_FROM]: sha(original) }
      }
    ]
  }
  const blob = (b: Buffer): [string, Buffer] => [`blobs/sha256/${sha(b).slice(7)}`, b]
  await writeTar(file, [['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')], ['index.json', Buffer.from(JSON.stringify(index))], blob(config), blob(layer), blob(rendering.bytes), blob(original), blob(stray)])
  return { original: sha(original), rendering: rendering.digest.value, stray: sha(stray) }
}

describe('an import leaves nothing unreferenced', () => {
  it('the OCI rendering and a stray entry are not kept; the original is stored; usage and the dry run agree on 0', async () => {
    const root = await temp()
    const file = join(root, 'app.tar')
    const ids = await compatArchive(file, randomBytes(100))
    const storage = await openStorage(join(root, 'data'))
    const result = await importArchive(storage, { file })
    expect(result.images).toEqual([{ repository: 'team/app', tag: '1', digest: ids.original }])

    expect(await storage.blobs.size(parseDigest(ids.rendering) as Digest)).toBeNull()
    expect(await storage.blobs.size(parseDigest(ids.stray) as Digest)).toBeNull()
    const usage = await storageUsage(storage)
    expect(usage.unreferenced).toEqual({ count: 0, bytes: 0 })
    expect(usage.blobs.count).toBe(3)
    const dry = await collectGarbage(storage, { dryRun: true })
    expect(dry.blobs).toEqual([])
    expect(dry.protected).toBe(0)
  })

  it('a blob the store held before the import stays, even when the archive does not use it', async () => {
    const root = await temp()
    const file = join(root, 'app.tar')
    const stray = randomBytes(100)
    const ids = await compatArchive(file, stray)
    const storage = await openStorage(join(root, 'data'))
    // Someone else's upload of the same bytes, already in the store.
    const { uuid } = await storage.uploads.start('other/repo')
    await storage.uploads.append('other/repo', uuid, Readable.from([stray]))
    await storage.uploads.commit('other/repo', uuid, parseDigest(ids.stray) as Digest)
    await importArchive(storage, { file })
    expect(await storage.blobs.size(parseDigest(ids.stray) as Digest)).toBe(100)
  })

  it('an import that fails leaves no blob of its own behind', async () => {
    const root = await temp()
    const file = join(root, 'bad.tar')
    const layer = randomBytes(2048)
    // index.json names a manifest the archive lacks: refused, and the layer it staged goes again.
    await writeTar(file, [
      ['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')],
      ['index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(Buffer.from('x')), size: 1, annotations: { 'io.containerd.image.name': 'a/b:1' } }] }))],
      [`blobs/sha256/${sha(layer).slice(7)}`, layer]
    ])
    const storage = await openStorage(join(root, 'data'))
    await expect(importArchive(storage, { file })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect((await storageUsage(storage)).blobs.count).toBe(0)
  })
})
