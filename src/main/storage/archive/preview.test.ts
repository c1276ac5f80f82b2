import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256, tinyOciLayout, writeTar } from '../../../../test/helpers/archives'
import { openStorage, type Storage } from '../index'
import { importArchive } from './import'
import { previewImport } from './preview'

// What an import would do, read without doing it: the images of an archive, where each goes, and
// what the registry holds there now.

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function work(): Promise<{ dir: string; storage: Storage }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-preview-'))
  dirs.push(dir)
  return { dir, storage: await openStorage(join(dir, 'data')) }
}

/** A docker save archive of one image (manifest.json last, as docker writes it) named `tags`. */
function dockerSave(tags: string[], layerText = 'layer bytes') {
  const layer = Buffer.from(layerText)
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }))
  const hex = sha256(config).slice(7)
  return {
    config: sha256(config),
    entries: [
      { name: 'l1/layer.tar', data: layer },
      { name: `${hex}.json`, data: config },
      { name: 'manifest.json', data: JSON.stringify([{ Config: `${hex}.json`, RepoTags: tags, Layers: ['l1/layer.tar'] }]) }
    ]
  }
}

describe('previewImport', () => {
  it('lists a docker save archive’s images and where they go, writing nothing; after the import they are unchanged, another image re-tags', async () => {
    const { dir, storage } = await work()
    const file = join(dir, 'app.tar')
    const saved = dockerSave(['localhost:5000/team/app:1', 'team/app:2'])
    await writeTar(file, saved.entries)
    const before = await readdir(storage.layout.repositories)

    const preview = await previewImport(storage, { file })
    expect(preview).toMatchObject({ file, format: 'docker-archive', needsRepository: false })
    expect(preview.bytes).toBeGreaterThan(0)
    expect(preview.images).toEqual([
      { repository: 'team/app', tag: '1', digest: null, config: saved.config, platforms: [], destination: 'new-repository', current: null },
      { repository: 'team/app', tag: '2', digest: null, config: saved.config, platforms: [], destination: 'new-repository', current: null }
    ])
    // Read only: no repository, no import area, no upload.
    expect(await readdir(storage.layout.repositories)).toEqual(before)
    expect(await storage.repos.exists('team/app')).toBe(false)

    const imported = await importArchive(storage, { file })
    expect((await previewImport(storage, { file })).images.map((i) => [i.tag, i.destination, i.current])).toEqual([
      ['1', 'unchanged', imported.images[0].digest],
      ['2', 'unchanged', imported.images[1].digest]
    ])
    // Another image named team/app:2 would move the tag; a tag the repository lacks is new.
    const other = join(dir, 'other.tar')
    await writeTar(other, dockerSave(['team/app:2', 'team/app:3'], 'other layer').entries)
    expect((await previewImport(storage, { file: other })).images.map((i) => [i.tag, i.destination, i.current])).toEqual([
      ['2', 'retag', imported.images[1].digest],
      ['3', 'new-tag', null]
    ])
  })

  it('says an archive that names no repository needs one, and where its images go once one is given', async () => {
    const { dir, storage } = await work()
    const file = join(dir, 'unnamed.tar')
    await writeTar(file, dockerSave([]).entries)
    const preview = await previewImport(storage, { file })
    expect(preview.needsRepository).toBe(true)
    expect(preview.images.map((i) => [i.repository, i.tag, i.destination])).toEqual([[null, null, 'unnamed']])
    const named = await previewImport(storage, { file, repository: 'team/named' })
    expect(named.needsRepository).toBe(false)
    expect(named.images.map((i) => [i.repository, i.tag, i.destination])).toEqual([['team/named', 'latest', 'new-repository']])
  })

  it('stops reading an OCI archive once its index and manifests went by: a damaged tail is never reached', async () => {
    const { dir, storage } = await work()
    const file = join(dir, 'index-first.tar')
    const layout = tinyOciLayout('team/web:2.0', { layer: Buffer.alloc(4 << 20, 7) })
    // As Berth exports: oci-layout and index.json first, then the manifest, then the (big) blobs.
    const [ociLayout, config, layer, manifest, index] = layout
    await writeTar(file, [ociLayout, index, manifest, config, layer])
    // Cut it in the middle of the layer: an import says the copy is incomplete, the preview never gets there.
    await truncate(file, 2 << 20)
    await expect(importArchive(storage, { file })).rejects.toThrow(/not a complete tar archive/)
    const preview = await previewImport(storage, { file })
    expect(preview.format).toBe('oci-archive')
    expect(preview.images).toEqual([
      { repository: 'team/web', tag: '2.0', digest: sha256(Buffer.from(manifest.data)), config: expect.stringMatching(/^sha256:/), platforms: [], destination: 'new-repository', current: null }
    ])
  })

  it('reads an index’s platforms from an image layout folder', async () => {
    const { dir, storage } = await work()
    const folder = join(dir, 'layout')
    const child = (architecture: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(architecture), size: 100, platform: { os: 'linux', architecture } })
    const attestation = { ...child('unknown'), platform: { os: 'unknown', architecture: 'unknown' } }
    const indexManifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [child('amd64'), child('arm64'), attestation] })
    await mkdir(join(folder, 'blobs', 'sha256'), { recursive: true })
    await writeFile(join(folder, 'blobs', 'sha256', sha256(indexManifest).slice(7)), indexManifest)
    await writeFile(join(folder, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
    const entry = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256(indexManifest), size: indexManifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }
    await writeFile(join(folder, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }))
    const preview = await previewImport(storage, { file: folder, repository: 'team/multi' })
    expect(preview).toMatchObject({ format: 'oci-layout', bytes: indexManifest.length })
    expect(preview.images[0]).toMatchObject({ repository: 'team/multi', tag: 'v1', config: null, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] })
  })

  it('says in one sentence that a file is not there, naming no form field', async () => {
    const { dir, storage } = await work()
    const missing = join(dir, 'nope.tar')
    const error = await previewImport(storage, { file: missing }).catch((err: unknown) => err)
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: `There is no file or folder at ${missing}; check the path.`, detail: { file: missing } })
  })
})
