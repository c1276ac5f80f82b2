import { randomBytes } from 'node:crypto'
import { open, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BerthError } from '../../src/shared/errors'
import { openStorage, type Storage } from '../../src/main/storage'
import { exportImages, importArchive, type ArchiveProgress } from '../../src/main/storage/archive'
import { hashFile } from '../../src/main/storage/core/blobs'
import { parseDigest, type Digest } from '../../src/shared/reference'
import { berthCli, tinyOciLayout, writeTar } from '../helpers/archives'
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { nativeArchitecture, pushMultiArchIndex, type PushedIndex } from '../helpers/multiarch'
import { pushManifest } from '../helpers/registry-http'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// Air-gapped transfer with the real clients: berth export / import against docker load/save/pull,
// skopeo and podman, byte for byte.

const MESSAGE = 'hello from the archive test'
const localImages: string[] = []
const servers: RunningBerth[] = []
const scratchDirs: string[] = []

/** A temporary folder removed after the suite (the archives and data folders add up to a gigabyte). */
async function scratch(prefix: string): Promise<string> {
  const dir = await tempDir(prefix)
  scratchDirs.push(dir)
  return dir
}
/** Throughput of the largest image, printed at the end for the report. */
const numbers: string[] = []

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

async function headDigest(b: RunningBerth, repo: string, ref: string): Promise<string | null> {
  const res = await fetch(`${b.url}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { Accept: ACCEPT } })
  return res.status === 200 ? res.headers.get('docker-content-digest') : null
}

async function serve(dataDir: string): Promise<RunningBerth> {
  const b = await startBerth({ dataDir, catalogMaxAgeMs: 0 })
  servers.push(b)
  return b
}

/** docker pull from `b`, then run it offline; returns what it printed. */
async function pullAndRun(b: RunningBerth, repo: string, tag: string): Promise<string> {
  const ref = `${b.host}/${repo}:${tag}`
  localImages.push(ref)
  await run('docker', ['pull', '-q', ref])
  return (await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()
}

/** Every blob a tag reaches in `storage`, digest → sha256 of the bytes on disk. */
async function reachedBlobs(storage: Storage, repo: string, tag: string): Promise<Map<string, string>> {
  const digest = (await storage.repos.resolveTag(repo, tag))!
  const reached = await storage.inspector.reach(digest)
  const out = new Map<string, string>()
  for (const d of reached.keys()) out.set(d, `sha256:${await hashFile(storage.blobs.dataPath(parseDigest(d) as Digest), 'sha256')}`)
  return out
}

async function expectInvalid(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(BerthError)
  expect((err as BerthError).code).toBe('INVALID_INPUT')
  expect((err as BerthError).message).toMatch(pattern)
  // One sentence for people: no stack, no newline.
  expect((err as BerthError).message).not.toMatch(/\n/)
}

/** No tag, and no repository besides staging leftovers, in a data folder after a refused import. */
async function expectNothingTagged(storage: Storage): Promise<void> {
  await storage.catalog.refresh()
  for (const name of await storage.catalog.list()) expect(await storage.repos.tags(name)).toEqual([])
  const repos = await readdir(storage.layout.repositories).catch(() => [])
  expect(repos.filter((r) => r.startsWith('berth-import-tmp'))).toEqual([])
}

describeWith({ docker: true, commands: ['skopeo', 'podman'] }, 'export and import archives', () => {
  let source: RunningBerth
  let image: string
  let appDigest: string
  let multi: PushedIndex
  let work: string
  let ociFile: string
  let imageBytes = 0

  beforeAll(async () => {
    work = await scratch('berth-archive-')
    source = await serve(await scratch('berth-archive-src-'))
    // Random layers do not compress: about 96 MiB on the wire, the throughput figure of the report.
    image = await buildImage('berth-it/archive:src', { layers: 3, layerBytes: 32 << 20, message: MESSAGE })
    localImages.push(image)
    const ref = `${source.host}/it/app:v1`
    await run('docker', ['tag', image, ref])
    localImages.push(ref)
    const pushed = await run('docker', ['push', ref])
    appDigest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)![1]
    await run('docker', ['tag', image, `${source.host}/it/app:v2`])
    localImages.push(`${source.host}/it/app:v2`)
    await run('docker', ['push', `${source.host}/it/app:v2`])
    multi = await pushMultiArchIndex(source.url, 'it/multi', 'v1', image)
    for (const [, size] of await source.storage.inspector.reach(parseDigest(appDigest) as Digest)) imageBytes += size
    ociFile = join(work, 'app.oci.tar')
  })

  afterAll(async () => {
    for (const s of servers) await s.close()
    for (const ref of localImages) await run('docker', ['rmi', '-f', ref]).catch(() => {})
    for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true })
    if (numbers.length) console.log(`\narchive numbers:\n  ${numbers.join('\n  ')}\n`)
  })

  it('(a) OCI export → import into a fresh folder: same bytes and digests; docker pulls and runs it from there', async () => {
    const events: ArchiveProgress[] = []
    let t = performance.now()
    const exported = await exportImages(source.storage, { references: ['it/app:v1'], file: ociFile, format: 'oci' }, (p) => events.push(p))
    const exportMs = performance.now() - t
    expect(exported).toMatchObject({ file: ociFile, format: 'oci', images: [{ repository: 'it/app', tag: 'v1', digest: appDigest }] })
    expect((await stat(ociFile)).size).toBe(exported.bytes)
    await expect(stat(`${ociFile}.partial`)).rejects.toThrow()
    const writes = events.filter((e) => e.phase === 'write')
    expect(writes.at(-1)).toMatchObject({ done: imageBytes, total: imageBytes })
    expect(writes.some((e) => e.item === appDigest)).toBe(true)

    const fresh = await scratch('berth-archive-dst-')
    const storage = await openStorage(fresh)
    t = performance.now()
    const imported = await importArchive(storage, { file: ociFile })
    const importMs = performance.now() - t
    expect(imported).toMatchObject({ format: 'oci-archive', images: [{ repository: 'it/app', tag: 'v1', digest: appDigest }] })
    expect(imported.bytes).toBe(imageBytes)
    numbers.push(
      `OCI export ${(imageBytes / 1e6).toFixed(0)} MB: ${((imageBytes / 1e6) / (exportMs / 1000)).toFixed(0)} MB/s; import: ${((imageBytes / 1e6) / (importMs / 1000)).toFixed(0)} MB/s (in-process)`
    )

    expect(await reachedBlobs(storage, 'it/app', 'v1')).toEqual(await reachedBlobs(source.storage, 'it/app', 'v1'))
    for (const [digest, actual] of await reachedBlobs(storage, 'it/app', 'v1')) expect(actual).toBe(digest)
    const dst = await serve(fresh)
    expect(await headDigest(dst, 'it/app', 'v1')).toBe(appDigest)
    expect(await pullAndRun(dst, 'it/app', 'v1')).toBe(MESSAGE)
    // The staging repository is gone; only the imported one is listed.
    expect(await storage.catalog.list()).toEqual(['it/app'])
  })

  it('(b) skopeo reads the OCI export (by ref, inspect, copy to a registry); podman loads it', async () => {
    // An image pushed with OCI media types, beside the docker-pushed one.
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--format', 'oci', `docker-daemon:${image}`, `docker://${source.host}/it/oci:v3`])
    const ociDigest = (await headDigest(source, 'it/oci', 'v3'))!
    const file = join(work, 'two.oci.tar')
    await exportImages(source.storage, { references: ['it/oci:v3', 'it/app:v1'], file })

    const byRef = JSON.parse(await run('skopeo', ['inspect', `oci-archive:${file}:v3`])) as { Digest: string }
    expect(byRef.Digest).toBe(ociDigest)
    const dst = await serve(await scratch('berth-archive-skopeo-'))
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci-archive:${file}:v3`, `docker://${dst.host}/it/skopeo:v3`])
    expect(await headDigest(dst, 'it/skopeo', 'v3')).toBe(ociDigest)
    expect(await pullAndRun(dst, 'it/skopeo', 'v3')).toBe(MESSAGE)
    // A docker-pushed (schema 2) image: containers/image finds names among OCI-typed entries only
    // (skopeo#1975), so the archive carries an OCI rendering of its manifest under the tag, same config and layers.
    const docker = JSON.parse(await run('skopeo', ['inspect', '--raw', `oci-archive:${ociFile}:v1`])) as { mediaType: string; config: { digest: string }; layers: { digest: string }[] }
    const original = JSON.parse((await source.storage.manifests.get('it/app', 'v1'))!.bytes.toString()) as typeof docker
    expect(docker.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(docker.config.digest).toBe(original.config.digest)
    expect(docker.layers.map((l) => l.digest)).toEqual(original.layers.map((l) => l.digest))
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci-archive:${ociFile}:v1`, `docker://${dst.host}/it/skopeo-docker:v1`])
    expect(await pullAndRun(dst, 'it/skopeo-docker', 'v1')).toBe(MESSAGE)

    // podman 4.3 loads a single-image archive (a docker-pushed image, through its OCI rendering)...
    const root = await scratch('berth-archive-podman-')
    const P = ['--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', 'vfs']
    expect(await run('podman', [...P, 'load', '-i', ociFile])).toMatch(/Loaded image.*localhost\/it\/app:v1/)
    const loaded = JSON.parse(await run('podman', [...P, 'image', 'inspect', 'localhost/it/app:v1'])) as { Id: string }[]
    expect(`sha256:${loaded[0].Id}`).toBe(original.config.digest)
    // ...but not several at once: that is podman's limit, not the archive's (skopeo reads each by tag above).
    await expect(run('podman', [...P, 'load', '-i', file])).rejects.toThrow(/more than one image in oci, choose an image/)
  })

  it('(c) a docker-format export is loaded by docker load and runs; an index exports its linux/amd64 child', async () => {
    const file = join(work, 'app.docker.tar')
    const events: ArchiveProgress[] = []
    const exported = await exportImages(source.storage, { references: ['it/app:v1', 'it/multi:v1'], file, format: 'docker' }, (p) => events.push(p))
    const native = multi.children.find((c) => c.architecture === nativeArchitecture())!
    expect(exported.images).toEqual([
      { repository: 'it/app', tag: 'v1', digest: appDigest },
      { repository: 'it/multi', tag: 'v1', digest: nativeArchitecture() === 'amd64' ? native.digest : expect.any(String) }
    ])
    expect(events.some((e) => e.phase === 'select' && /linux\/amd64/.test(e.item ?? ''))).toBe(true)

    for (const name of ['it/app:v1', 'it/multi:v1']) {
      localImages.push(name)
      await run('docker', ['rmi', '-f', name]).catch(() => {})
    }
    const loaded = await run('docker', ['load', '-i', file])
    expect(loaded).toMatch(/Loaded image: it\/app:v1/)
    expect(loaded).toMatch(/Loaded image: it\/multi:v1/)
    expect((await run('docker', ['run', '--rm', '--network', 'none', 'it/app:v1'])).trim()).toBe(MESSAGE)
    expect((await run('docker', ['run', '--rm', '--network', 'none', 'it/multi:v1'])).trim()).toBe(MESSAGE)
    // docker load keeps the config as written: same image id as the source.
    const id = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', 'it/app:v1'])).trim()
    expect(id).toBe((await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image])).trim())
  })

  it('(d) imports a real docker save tarball and a skopeo OCI layout folder; docker pulls them from Berth', async () => {
    const saved = join(work, 'saved.tar')
    await run('docker', ['save', '-o', saved, image])
    const fresh = await scratch('berth-archive-saved-')
    const storage = await openStorage(fresh)
    let t = performance.now()
    const fromSave = await importArchive(storage, { file: saved })
    const saveMs = performance.now() - t
    expect(fromSave).toMatchObject({ format: 'docker-archive', images: [{ repository: 'berth-it/archive', tag: 'src' }] })
    numbers.push(`docker save import ${(fromSave.bytes / 1e6).toFixed(0)} MB: ${((fromSave.bytes / 1e6) / (saveMs / 1000)).toFixed(0)} MB/s`)
    const renamed = await importArchive(storage, { file: saved, repository: 'team/saved' })
    expect(renamed.images).toEqual([{ repository: 'team/saved', tag: 'src', digest: fromSave.images[0].digest }])
    const manifest = JSON.parse((await storage.manifests.get('team/saved', 'src'))!.bytes.toString()) as { mediaType: string; layers: { mediaType: string }[] }
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json')
    expect(new Set(manifest.layers.map((l) => l.mediaType))).toEqual(new Set(['application/vnd.docker.image.rootfs.diff.tar']))

    const layout = join(work, 'layout')
    await run('skopeo', ['copy', '-q', `docker-daemon:${image}`, `oci:${layout}:v7`])
    t = performance.now()
    const fromLayout = await importArchive(storage, { file: layout, repository: 'team/layout' })
    numbers.push(`OCI layout folder import ${(fromLayout.bytes / 1e6).toFixed(0)} MB: ${((fromLayout.bytes / 1e6) / ((performance.now() - t) / 1000)).toFixed(0)} MB/s`)
    expect(fromLayout).toMatchObject({ format: 'oci-layout', images: [{ repository: 'team/layout', tag: 'v7' }] })
    // Without --repo a bare tag names no repository: refused in one sentence.
    await expectInvalid(importArchive(storage, { file: layout }), /only the tag "v7" and no repository; import it with --repo/)

    // A name with a registry host imports without it.
    const hosted = join(work, 'hosted.tar')
    await run('skopeo', ['copy', '-q', `docker-daemon:${image}`, `oci-archive:${hosted}:localhost:5000/team/hosted:1`])
    expect((await importArchive(storage, { file: hosted })).images).toMatchObject([{ repository: 'team/hosted', tag: '1' }])

    const dst = await serve(fresh)
    expect(await pullAndRun(dst, 'berth-it/archive', 'src')).toBe(MESSAGE)
    expect(await pullAndRun(dst, 'team/saved', 'src')).toBe(MESSAGE)
    expect(await pullAndRun(dst, 'team/layout', 'v7')).toBe(MESSAGE)
    expect(await pullAndRun(dst, 'team/hosted', '1')).toBe(MESSAGE)
  })

  it('(e) a multi-arch index goes whole: every child and blob, same index digest; docker pulls the native child', async () => {
    const file = join(work, 'multi.tar')
    await exportImages(source.storage, { references: ['it/multi'], file })
    const raw = JSON.parse(await run('skopeo', ['inspect', '--raw', `oci-archive:${file}:v1`])) as { manifests: unknown[] }
    expect(raw.manifests).toHaveLength(2)
    const fresh = await scratch('berth-archive-multi-')
    const storage = await openStorage(fresh)
    const imported = await importArchive(storage, { file })
    expect(imported.images).toEqual([{ repository: 'it/multi', tag: 'v1', digest: multi.index }])
    const dst = await serve(fresh)
    expect(await headDigest(dst, 'it/multi', 'v1')).toBe(multi.index)
    for (const child of multi.children) {
      expect(await headDigest(dst, 'it/multi', child.digest)).toBe(child.digest)
      for (const blob of [child.config, ...child.layers]) expect((await fetch(`${dst.url}/v2/it/multi/blobs/${blob}`, { method: 'HEAD' })).status).toBe(200)
    }
    expect(await reachedBlobs(storage, 'it/multi', 'v1')).toEqual(await reachedBlobs(source.storage, 'it/multi', 'v1'))
    expect(await pullAndRun(dst, 'it/multi', 'v1')).toBe(MESSAGE)
  })

  it('(e) a Docker manifest list travels as an OCI rendering for skopeo and comes back byte for byte into Berth', async () => {
    const app = (await source.storage.manifests.get('it/app', 'v1'))!
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
        manifests: [{ mediaType: app.mediaType, size: app.bytes.length, digest: appDigest, platform: { architecture: nativeArchitecture(), os: 'linux' } }]
      })
    )
    // The child, byte for byte, in a repository of its own (it/app keeps just v1 and v2 for the CLI test).
    await run('skopeo', ['copy', '-q', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${source.host}/it/app:v1`, `docker://${source.host}/it/list:child`])
    const listDigest = await pushManifest(source.url, 'it/list', 'list', list, 'application/vnd.docker.distribution.manifest.list.v2+json')
    const file = join(work, 'list.tar')
    await exportImages(source.storage, { references: ['it/list:list'], file })
    const raw = JSON.parse(await run('skopeo', ['inspect', '--raw', `oci-archive:${file}:list`])) as { mediaType: string; manifests: { mediaType: string }[] }
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(raw.manifests[0].mediaType).toBe('application/vnd.oci.image.manifest.v1+json')

    const fresh = await scratch('berth-archive-list-')
    const storage = await openStorage(fresh)
    expect((await importArchive(storage, { file })).images).toEqual([{ repository: 'it/list', tag: 'list', digest: listDigest }])
    expect((await storage.manifests.get('it/list', 'list'))!.bytes.equals(list)).toBe(true)
    const dst = await serve(fresh)
    expect(await headDigest(dst, 'it/list', appDigest)).toBe(appDigest)
    expect(await pullAndRun(dst, 'it/list', 'list')).toBe(MESSAGE)
  })

  it('(f) bad input is refused in one sentence and tags nothing: random file, truncated tar, wrong digest, missing blob', async () => {
    const fresh = await scratch('berth-archive-bad-')
    const storage = await openStorage(fresh)

    const random = join(work, 'random.bin')
    await writeFile(random, randomBytes(100_000))
    await expectInvalid(importArchive(storage, { file: random }), /is not a complete tar archive/)
    const tiny = join(work, 'tiny.txt')
    await writeFile(tiny, 'hello')
    await expectInvalid(importArchive(storage, { file: tiny }), /is not a complete tar archive/)

    // The real export cut in the middle of a layer.
    const truncated = join(work, 'truncated.tar')
    const whole = await open(ociFile, 'r')
    const half = Buffer.alloc(Math.floor((await whole.stat()).size / 2))
    await whole.read(half, 0, half.length, 0)
    await whole.close()
    await writeFile(truncated, half)
    await expectInvalid(importArchive(storage, { file: truncated }), /is not a complete tar archive/)
    await expectNothingTagged(storage)

    const corrupt = join(work, 'corrupt.tar')
    await writeTar(corrupt, tinyOciLayout('bad/app:1', { corruptLayer: true }))
    await expectInvalid(importArchive(storage, { file: corrupt }), /should hold sha256:[a-f0-9]{64} but its content differs \(the uploaded content has digest sha256:[a-f0-9]{64}, .*damaged; export it again\.$/)
    await expectNothingTagged(storage)
    // The same archive, intact, imports: the refusal was about the digest.
    const good = join(work, 'good.tar')
    await writeTar(good, tinyOciLayout('bad/app:1'))
    expect((await importArchive(storage, { file: good })).images).toMatchObject([{ repository: 'bad/app', tag: '1' }])

    const missing = join(work, 'missing.tar')
    await writeTar(missing, tinyOciLayout('bad/missing:1').filter((e, i) => i !== 2))
    // A folder that never held the layer (the one above now does, and a stored blob may complete an archive).
    const other = await openStorage(await scratch('berth-archive-bad2-'))
    await expectInvalid(importArchive(other, { file: missing }), /lacks the blob sha256:[a-f0-9]{64}/)
    await expectNothingTagged(other)

    const notAnImage = join(work, 'other.tar')
    await writeTar(notAnImage, [{ name: 'README', data: 'just a tar' }])
    await expectInvalid(importArchive(storage, { file: notAnImage }), /neither an OCI image layout .* nor a docker save archive/)
    await expectInvalid(importArchive(storage, { file: join(work, 'nope.tar') }), /There is no file or folder at/)
    await expectInvalid(importArchive(storage, { file: good, repository: 'Not A Name' }), /not a valid repository name/)
    await expectInvalid(exportImages(source.storage, { references: ['it/app:nope'], file: join(work, 'x.tar') }).catch((e: BerthError) => {
      throw new BerthError('INVALID_INPUT', e.message) // NOT_FOUND by design; the sentence is what is checked
    }), /it\/app:nope is not stored in this registry/)
    await expect(stat(join(work, 'x.tar.partial'))).rejects.toThrow()
  })

  it('CLI: berth export and berth import as processes, progress on stderr, summary on stdout, flat memory', async () => {
    const file = join(work, 'cli.tar')
    const exported = await berthCli(['export', 'it/app', '--data', source.dataDir, '-o', file])
    expect(exported.stderr).toMatch(/export write +\d+% sha256:/)
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(/^Exported 2 images \([\d.]+ MB, oci\) to .*cli\.tar in [\d.]+ s\n$/)

    const fresh = await scratch('berth-archive-cli-')
    const imported = await berthCli(['import', file, '--data', fresh, '--repo', 'cli/app'])
    expect(imported.code).toBe(0)
    expect(imported.stderr).toMatch(/import read +\d+% blobs\/sha256\//)
    expect(imported.stdout).toMatch(/^Imported cli\/app:v1, cli\/app:v2 \(\d+ blobs, [\d.]+ MB, oci-archive\) in [\d.]+ s\n$/)
    numbers.push(`CLI peak RSS: export ${exported.maxRssKiB} KiB, import ${imported.maxRssKiB} KiB (archive ${((await stat(file)).size / 1e6).toFixed(0)} MB)`)
    // A layer is 32 MiB; holding one in memory would show.
    expect(exported.maxRssKiB!).toBeLessThan(200_000)
    expect(imported.maxRssKiB!).toBeLessThan(200_000)
    const dst = await serve(fresh)
    expect(await headDigest(dst, 'cli/app', 'v2')).toBe(appDigest)

    const dockerFile = join(work, 'cli-docker.tar')
    const docker = await berthCli(['export', 'it/app:v1', '--format', 'docker', '--data', source.dataDir, '-o', dockerFile])
    expect(docker.code).toBe(0)
    expect(JSON.parse(await run('tar', ['-xOf', dockerFile, 'manifest.json']))).toMatchObject([{ RepoTags: ['it/app:v1'] }])

    const bad = await berthCli(['import', join(work, 'random.bin'), '--data', fresh])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim().split('\n').at(-1)).toMatch(/^berth: .*random\.bin is not a complete tar archive .*; check that the copy finished, or export it again\.$/)
    const missing = await berthCli(['export', 'it/none:1', '--data', source.dataDir, '-o', join(work, 'none.tar')])
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim().split('\n').at(-1)).toBe('berth: it/none:1 is not stored in this registry; check the tag.')
  })
})
