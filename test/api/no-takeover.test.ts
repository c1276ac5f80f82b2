import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runExport } from '../../src/main/cli/archive'
import { dispatch } from '../../src/main/service/dispatch'
import type { Service } from '../../src/main/service/service'
import { tempDir } from '../helpers/berth'
import { offlineService } from '../helpers/offline-service'
import { MediaTypes, pushBlob, pushManifest } from '../helpers/registry-http'

// Methods a hostile caller (or a slip of the hand) could use to destroy a person's files: an export
// onto an existing file, and a data folder switched to a folder that holds other things.

type Envelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; detail?: unknown } }

describe('Berth does not overwrite or take over what is not its own', () => {
  let service: Service
  let dataDir: string
  let work: string
  const call = (method: string, input?: unknown) => dispatch(service.api, method, input) as Promise<Envelope>

  beforeAll(async () => {
    dataDir = await tempDir('berth-takeover-data-')
    work = await tempDir('berth-takeover-work-')
    service = await offlineService(dataDir)
    const url = service.registry.status().url!
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }))
    const layer = randomBytes(2048)
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: { mediaType: MediaTypes.ociConfig, digest: await pushBlob(url, 'team/app', config), size: config.length },
        layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: await pushBlob(url, 'team/app', layer), size: layer.length }]
      })
    )
    await pushManifest(url, 'team/app', '1.0', manifest, MediaTypes.ociManifest)
  })
  afterAll(async () => {
    await service?.dispose()
    await rm(dataDir, { recursive: true, force: true })
    await rm(work, { recursive: true, force: true })
  })

  it('storage.export refuses an existing file (CONFLICT, detail.exists) and leaves it as it was; overwrite: true replaces it', async () => {
    const file = join(work, 'precious.tar')
    await writeFile(file, 'the person’s own file')
    const refused = await call('storage.export', { references: ['team/app:1.0'], file })
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: `${file} already exists; choose another file name, or replace it (berth export --force).`, detail: { file, exists: true } } })
    expect(await readFile(file, 'utf8')).toBe('the person’s own file')
    await expect(stat(`${file}.partial`)).rejects.toThrow()

    const replaced = await call('storage.export', { references: ['team/app:1.0'], file, overwrite: true })
    expect(replaced).toMatchObject({ ok: true, result: { file, format: 'oci', images: [{ repository: 'team/app', tag: '1.0' }] } })
    expect((await stat(file)).size).toBe((replaced as { result: { bytes: number } }).result.bytes)
    // A new file needs no permission.
    expect((await call('storage.export', { references: ['team/app'], file: join(work, 'new.tar') })).ok).toBe(true)
  })

  it('berth export refuses an existing file unless --force', async () => {
    const file = join(work, 'cli.tar')
    await writeFile(file, 'keep me')
    const stderr: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write
    let refused: number
    let forced: number
    try {
      refused = await runExport(['team/app:1.0'], { data: dataDir, output: file, format: 'oci' })
      forced = await runExport(['team/app:1.0'], { data: dataDir, output: file, format: 'oci', force: true })
    } finally {
      process.stderr.write = write
    }
    expect(refused).toBe(1)
    expect(stderr.join('')).toContain(`berth: ${file} already exists; choose another file name, or replace it (berth export --force).`)
    expect(forced).toBe(0)
    expect((await stat(file)).size).toBeGreaterThan(2048)
  })

  it('settings.update of the data folder runs storage.open’s check: a folder with other files is refused, nothing saved', async () => {
    const home = join(work, 'home')
    await mkdir(home)
    await writeFile(join(home, 'thesis.odt'), 'years of work')
    const refused = await call('settings.update', { dataDir: home })
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining(`${home} holds other files and no registry data`) } })
    expect(service.registry.status()).toMatchObject({ state: 'running', dataDir })
    expect((await call('settings.get')) as unknown).toMatchObject({ ok: true, result: { dataDir } })

    // An empty (or new) folder and a registry folder are fine, as with storage.open; `…/docker/registry/v2` means its root.
    const fresh = join(work, 'fresh')
    expect(await call('settings.update', { dataDir: fresh })).toMatchObject({ ok: true, result: { dataDir: fresh } })
    expect(await call('settings.update', { dataDir: join(dataDir, 'docker', 'registry', 'v2') })).toMatchObject({ ok: true, result: { dataDir } })
    expect(service.registry.status()).toMatchObject({ state: 'running', dataDir })
  })
})
