import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openStorage } from '../../src/main/storage'
import { exportImages, importArchive, previewImport } from '../../src/main/storage/archive'
import { berthCli } from '../helpers/archives'
import { tempDir } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// What a dropped archive holds and where it would go, before anything is imported: a real `docker
// save` tarball (the engine's legacy layout, manifest.json last) and Berth's own OCI export of it.

describeWith({ docker: true }, 'import preview of real archives', () => {
  const IMAGE = `berth-it-preview/app:${process.pid}`
  let work: string
  let saved: string
  let imageId: string

  beforeAll(async () => {
    work = await tempDir('berth-preview-it-')
    await buildImage(IMAGE, { layers: 2, layerBytes: 512 * 1024, message: 'preview' })
    imageId = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', IMAGE])).trim()
    saved = join(work, 'saved.tar')
    await run('docker', ['save', '-o', saved, IMAGE])
  })

  afterAll(async () => {
    await run('docker', ['rmi', '-f', IMAGE]).catch(() => {})
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('previews a docker save tarball without writing, then says the imported image is there and a re-export would change nothing', async () => {
    const storage = await openStorage(join(work, 'data'))
    const [repository, tag] = IMAGE.split(':')
    const preview = await previewImport(storage, { file: saved })
    expect(preview).toMatchObject({ format: 'docker-archive', needsRepository: false })
    expect(preview.images).toEqual([{ repository, tag, digest: null, config: imageId, platforms: [], destination: 'new-repository', current: null }])
    expect(await readdir(storage.layout.repositories)).toEqual([])

    const imported = await importArchive(storage, { file: saved })
    expect((await previewImport(storage, { file: saved })).images).toMatchObject([{ destination: 'unchanged', current: imported.images[0].digest }])
    expect((await previewImport(storage, { file: saved, repository: 'team/copy' })).images).toMatchObject([{ repository: 'team/copy', tag, destination: 'new-repository' }])

    // Berth's own OCI export names the manifest by digest: the preview says which, and that it is already the tag's.
    const exported = join(work, 'export.tar')
    await exportImages(storage, { references: [IMAGE], file: exported, format: 'oci' })
    expect((await previewImport(storage, { file: exported })).images).toMatchObject([{ repository, tag, digest: imported.images[0].digest, destination: 'unchanged' }])
  })

  it('berth import --dry-run prints the same and imports nothing', async () => {
    const data = join(work, 'dry-run-data')
    const dry = await berthCli(['import', saved, '--dry-run', '--data', data])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(new RegExp(`^${saved.replace(/[.]/g, '\\.')}: a docker save archive, [\\d.]+ MB, 1 image; nothing imported\\n  ${IMAGE}  new repository\\n$`))
    expect(await readdir(join(data, 'docker', 'registry', 'v2', 'repositories')).catch(() => [])).toEqual([])
  })
})
