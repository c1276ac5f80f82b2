import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import type { LayerPhase } from '@shared/model/docker'
import { parseDigest, type Digest } from '@shared/reference'
import { openStorage, type Storage } from '../storage'
import { emptyProgress, type ProgressState } from '../docker/progress'
import { addStoredSizes } from './stored-sizes'

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const short = (digest: string) => digest.slice(7, 19)
const GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip'
const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function store(): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sizes-'))
  dirs.push(dir)
  return openStorage(dir)
}

async function upload(storage: Storage, repository: string, b: Buffer): Promise<void> {
  const { uuid } = await storage.uploads.start(repository)
  await storage.uploads.commit(repository, uuid, parseDigest(sha(b)) as Digest, { body: Readable.from([b]) })
}

/** An image of gzipped layers pushed as a client does; what its manifest says, and the diff IDs behind it. */
async function pushImage(storage: Storage, repository: string, tars: Buffer[], tag: string | null = '1') {
  const diffIds = tars.map(sha)
  const layers = tars.map((t) => gzipSync(t))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }))
  for (const b of [config, ...layers]) await upload(storage, repository, b)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: GZIP, digest: sha(l), size: l.length }))
    })
  )
  const { digest } = await storage.manifests.put(repository, tag ? { tag } : {}, manifest, 'application/vnd.docker.distribution.manifest.v2+json')
  return { digest: digest.value, diffIds, layers, bytes: manifest.length + config.length + layers.reduce((n, l) => n + l.length, 0), manifest }
}

function progress(digest: string, layers: [string, LayerPhase, number | null][]): ProgressState {
  const state = emptyProgress()
  state.digest = digest
  for (const [id, phase, total] of layers) state.layers.set(id, { id, phase, current: total ?? 0, total, size: null })
  return state
}

describe('sizes of a finished transfer, from the stored manifest', () => {
  it('gives a pushed and a mounted layer their blob sizes (docker push names layers by diff ID) and the image its stored size', async () => {
    const storage = await store()
    const image = await pushImage(storage, 'team/app', [randomBytes(4000), randomBytes(9000)])
    // As the engine reports it: the base mounted without a size, the new layer counted uncompressed.
    const state = progress(image.digest, [
      [short(image.diffIds[0]), 'mounted', null],
      [short(image.diffIds[1]), 'done', 9000]
    ])
    await addStoredSizes(storage, 'team/app', state)
    expect([...state.layers.values()].map((l) => [l.phase, l.size])).toEqual([
      ['mounted', image.layers[0].length],
      ['done', image.layers[1].length]
    ])
    expect(state.imageBytes).toBe(image.bytes)
  })

  it('counts only the platform a pull of an index took (docker pull names layers by blob digest)', async () => {
    const storage = await store()
    const amd = await pushImage(storage, 'team/multi', [randomBytes(3000)], null)
    const arm = await pushImage(storage, 'team/multi', [randomBytes(50_000)], null)
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: amd.digest, size: amd.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: arm.digest, size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64' } }
        ]
      })
    )
    const { digest } = await storage.manifests.put('team/multi', { tag: '1' }, index, 'application/vnd.oci.image.index.v1+json')
    const state = progress(digest.value, [[short(sha(amd.layers[0])), 'exists', null]])
    await addStoredSizes(storage, 'team/multi', state)
    expect(state.layers.get(short(sha(amd.layers[0])))?.size).toBe(amd.layers[0].length)
    expect(state.imageBytes).toBe(index.length + amd.bytes)
  })

  it('leaves a failed transfer, or a manifest the repository does not hold, as it was', async () => {
    const storage = await store()
    const image = await pushImage(storage, 'team/app', [randomBytes(1000)])
    const failed = progress(image.digest, [[short(image.diffIds[0]), 'mounted', null]])
    failed.error = 'denied'
    await addStoredSizes(storage, 'team/app', failed)
    const elsewhere = progress(image.digest, [[short(image.diffIds[0]), 'mounted', null]])
    await addStoredSizes(storage, 'team/other', elsewhere)
    for (const s of [failed, elsewhere]) {
      expect(s.imageBytes).toBeNull()
      expect([...s.layers.values()][0].size).toBeNull()
    }
  })
})
