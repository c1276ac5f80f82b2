import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { parseDigest, type Digest } from '@shared/reference'
import { openStorage, type Storage } from '../storage'
import { DiffIdIndex } from './diff-id-index'

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function store(): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-diffid-'))
  dirs.push(dir)
  return openStorage(dir)
}

/** Pushes blobs and a manifest the way a client does: uploads, then the manifest naming them. */
async function push(storage: Storage, repository: string, tag: string, layers: { bytes: Buffer; mediaType: string }[], diffIds: string[]) {
  const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: diffIds } }))
  for (const b of [config, ...layers.map((l) => l.bytes)]) {
    const { uuid } = await storage.uploads.start(repository)
    await storage.uploads.commit(repository, uuid, parseDigest(sha(b)) as Digest, { body: Readable.from([b]) })
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha(l.bytes), size: l.bytes.length }))
  }
  await storage.manifests.put(repository, { tag }, Buffer.from(JSON.stringify(manifest)), manifest.mediaType)
}

describe('the diff ID index', () => {
  const tars = [randomBytes(5000), randomBytes(7000)]
  const diffIds = tars.map(sha)
  const GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

  it('maps the diff IDs of stored images to their blobs, preferring one the repository links, then the wanted compression', async () => {
    const storage = await store()
    const gz = tars.map((t) => gzipSync(t))
    await push(storage, 'team/gz', '1', gz.map((bytes) => ({ bytes, mediaType: GZIP })), diffIds)
    const index = new DiffIdIndex(storage)
    const found = await index.lookup([...diffIds, `sha256:${'9'.repeat(64)}`], { repository: 'team/other', format: 'docker', prefer: 'uncompressed' })
    expect([...found.keys()]).toEqual(diffIds)
    expect(found.get(diffIds[0])).toMatchObject({ digest: { value: sha(gz[0]) }, size: gz[0].length, compression: 'gzip', linked: false })

    // An uncompressed copy appears later (a blob named by the diff ID itself): preferred when asked for, read incrementally.
    await push(storage, 'team/plain', '1', tars.map((bytes) => ({ bytes, mediaType: 'application/vnd.docker.image.rootfs.diff.tar' })), diffIds)
    expect((await index.lookup(diffIds, { repository: 'team/other', format: 'docker', prefer: 'uncompressed' })).get(diffIds[1])).toMatchObject({ digest: { value: diffIds[1] }, compression: 'uncompressed' })
    expect((await index.lookup(diffIds, { repository: 'team/other', format: 'docker', prefer: 'gzip' })).get(diffIds[1])).toMatchObject({ compression: 'gzip' })
    // What the target repository already links beats the preference: nothing to mount.
    expect((await index.lookup(diffIds, { repository: 'team/gz', format: 'docker', prefer: 'uncompressed' })).get(diffIds[0])).toMatchObject({ compression: 'gzip', linked: true })
  })

  it('leaves out zstd layers for a Docker manifest, and blobs that are gone', async () => {
    const storage = await store()
    await push(storage, 'team/z', '1', [{ bytes: randomBytes(300), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }], [diffIds[0]])
    const index = new DiffIdIndex(storage)
    expect((await index.lookup([diffIds[0]], { repository: 'x/y', format: 'docker', prefer: 'gzip' })).size).toBe(0)
    expect((await index.lookup([diffIds[0]], { repository: 'x/y', format: 'oci', prefer: 'gzip' })).get(diffIds[0])).toMatchObject({ compression: 'zstd' })
    await rm(join(storage.layout.blobs, 'sha256'), { recursive: true })
    expect((await index.lookup([diffIds[0]], { repository: 'x/y', format: 'oci', prefer: 'gzip' })).size).toBe(0)
  })
})
