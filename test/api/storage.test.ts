import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseDigest, type Digest } from '../../src/shared/reference'
import { collectGarbage } from '../../src/main/storage/manage/gc'
import { applyRetention, globToRegExp, retentionCandidates } from '../../src/main/storage/manage/retention'
import { storageUsage, isLowSpace } from '../../src/main/storage/manage/usage'
import { verifyStorage } from '../../src/main/storage/manage/verify'
import { copyDataFolder, inspectFolder, normalizeDataDir } from '../../src/main/storage/manage/folders'
import { paths } from '../../src/main/storage/core/paths'
import { openStorage } from '../../src/main/storage'
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth'
import { catalog, MediaTypes, pushBlob, pushManifest, sha256 } from '../helpers/registry-http'

// Storage management on the in-process registry: usage, online collection and its guards,
// retention, repository deletion, folders, verify. Real disk, real HTTP; no Docker needed.

const running: RunningBerth[] = []
afterEach(async () => {
  for (const b of running.splice(0)) await b.close()
})

async function berth(): Promise<RunningBerth> {
  const b = await startBerth()
  running.push(b)
  return b
}

const d = (text: string) => parseDigest(text) as Digest

/** A small OCI image: a config and `layers` random layers (or the given ones). Returns every digest. */
async function pushImage(url: string, name: string, tag: string, layers: Buffer[] = [randomBytes(4096)]) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, note: randomBytes(4).toString('hex') }))
  const configDigest = await pushBlob(url, name, config)
  const layerDigests: string[] = []
  for (const l of layers) layerDigests.push(await pushBlob(url, name, l))
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: configDigest, size: config.length },
      layers: layers.map((l, i) => ({ mediaType: MediaTypes.ociLayerGzip, digest: layerDigests[i], size: l.length }))
    })
  )
  const digest = await pushManifest(url, name, tag, manifest, MediaTypes.ociManifest)
  return { digest, configDigest, layerDigests, manifest, config, bytes: manifest.length + config.length + layers.reduce((n, l) => n + l.length, 0) }
}

/** Makes every touch the registry recorded look older than the grace period (as if pushed long ago). */
function ageTouches(b: RunningBerth): void {
  b.clock.advance(3_600_000)
}

describe('garbage collection', () => {
  it('frees exactly what no tag reaches: a deleted image’s unique blobs and manifest, not its shared layer', async () => {
    const b = await berth()
    const shared = randomBytes(8192)
    const keep = await pushImage(b.url, 'team/keep', 'v1', [shared, randomBytes(1000)])
    const gone = await pushImage(b.url, 'team/gone', 'v1', [shared, randomBytes(3000)])
    expect((await fetch(`${b.url}/v2/team/gone/manifests/${gone.digest}`, { method: 'DELETE' })).status).toBe(202)
    ageTouches(b)

    const expected = [gone.digest, gone.configDigest, gone.layerDigests[1]].sort()
    const dry = await collectGarbage(b.storage, { dryRun: true })
    expect(dry.blobs.map((x) => x.digest).sort()).toEqual(expected)
    expect(dry.freedBytes).toBe(gone.manifest.length + gone.config.length + 3000)
    // A dry run changes nothing.
    expect((await fetch(`${b.url}/v2/team/gone/blobs/${gone.layerDigests[1]}`, { method: 'HEAD' })).status).toBe(200)
    // That HEAD is what a client does before naming the blob in a manifest: it protects the blob for a while.
    expect((await collectGarbage(b.storage, { dryRun: true })).protected).toBe(1)
    ageTouches(b)

    const progress: string[] = []
    const report = await collectGarbage(b.storage, {}, (p) => progress.push(p.phase))
    expect(report.blobs.map((x) => x.digest).sort()).toEqual(expected)
    expect(report.protected).toBe(0)
    expect(progress).toContain('sweeping')
    // Gone at once: HEAD says 404 (layer link removed too), so a client pushes it again rather than skipping it.
    expect((await fetch(`${b.url}/v2/team/gone/blobs/${gone.layerDigests[1]}`, { method: 'HEAD' })).status).toBe(404)
    await pushBlob(b.url, 'team/gone', Buffer.alloc(0)) // the repository still takes uploads
    // What is kept still pulls, byte for byte.
    for (const digest of [keep.digest, keep.configDigest, ...keep.layerDigests]) {
      const res = await fetch(`${b.url}/v2/team/keep/${digest === keep.digest ? 'manifests' : 'blobs'}/${digest}`, { headers: { Accept: MediaTypes.ociManifest } })
      expect(res.status).toBe(200)
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(digest)
    }
    // The shared layer is still reached from team/keep, so team/gone keeps its link to it.
    expect((await fetch(`${b.url}/v2/team/gone/blobs/${gone.layerDigests[0]}`, { method: 'HEAD' })).status).toBe(200)
    expect((await collectGarbage(b.storage, {})).blobs).toEqual([])
  })

  it('keeps an upload just finished that no manifest names yet (a push under way), and says so', async () => {
    const b = await berth()
    await pushImage(b.url, 'app', 'v1')
    const orphan = await pushBlob(b.url, 'app', randomBytes(2048))
    const report = await collectGarbage(b.storage, {})
    expect(report.blobs.map((x) => x.digest)).not.toContain(orphan)
    expect(report.protected).toBe(1)
    ageTouches(b)
    expect((await collectGarbage(b.storage, {})).blobs.map((x) => x.digest)).toEqual([orphan])
  })

  it('protects what clients push while it runs, and never touches uploads in progress', async () => {
    const b = await berth()
    for (let i = 0; i < 20; i++) await pushImage(b.url, `bulk/r${i}`, 'v1', [randomBytes(20_000)])
    ageTouches(b)
    // An upload in progress (a PATCH, no PUT yet).
    const start = await fetch(`${b.url}/v2/app/blobs/uploads/`, { method: 'POST' })
    const location = new URL(start.headers.get('location')!, b.url)
    await fetch(location, { method: 'PATCH', body: randomBytes(1000), headers: { 'Content-Type': 'application/octet-stream' } })

    // A push racing the collection: whichever phase it meets, nothing of it may go.
    const [report, image] = await Promise.all([collectGarbage(b.storage, {}), pushImage(b.url, 'fresh', 'v1', [randomBytes(5000)])])
    expect(report.blobs).toEqual([])
    for (const digest of [image.configDigest, ...image.layerDigests]) expect((await fetch(`${b.url}/v2/fresh/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200)
    // The upload in progress is where it was.
    const status = await fetch(location, { method: 'GET' })
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-999')
  })

  it('collections back to back during eight pushers lose nothing (a manifest stored across a collection’s start included)', async () => {
    const b = await berth()
    let pushing = true
    const freed: string[] = []
    let runs = 0
    const collector = (async () => {
      while (pushing) {
        freed.push(...(await collectGarbage(b.storage, {})).blobs.map((x) => x.digest))
        runs++
      }
    })()
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        for (let k = 0; k < 6; k++) await pushImage(b.url, `st/many${i}`, `t${k}`, [randomBytes(40_000), randomBytes(40_000)])
      })
    ).finally(() => (pushing = false))
    await collector
    expect(runs).toBeGreaterThan(2)
    expect(freed).toEqual([])
    const check = await verifyStorage(b.storage)
    expect(check.problems).toEqual([])
    expect(check.checked).toBe(8 * 6 * 4)
  }, 60_000)

  it('with untagged: deletes manifests no tag reaches but keeps every child of a tagged index and the referrers of kept images', async () => {
    const b = await berth()
    const child1 = await pushImage(b.url, 'multi', 'c1')
    const child2 = await pushImage(b.url, 'multi', 'c2')
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: [
          { mediaType: MediaTypes.ociManifest, digest: child1.digest, size: child1.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: MediaTypes.ociManifest, digest: child2.digest, size: child2.manifest.length, platform: { os: 'linux', architecture: 'arm64' } }
        ]
      })
    )
    await pushManifest(b.url, 'multi', 'latest', index, MediaTypes.ociIndex)
    // The children lose their own tags: only the index reaches them now.
    await fetch(`${b.url}/v2/multi/manifests/c1`, { method: 'DELETE' })
    await fetch(`${b.url}/v2/multi/manifests/c2`, { method: 'DELETE' })
    // A signature-like referrer of child1, untagged.
    const empty = Buffer.from('{}')
    const emptyDigest = await pushBlob(b.url, 'multi', empty)
    const referrer = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        artifactType: 'application/vnd.example.signature',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 },
        layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 }],
        subject: { mediaType: MediaTypes.ociManifest, digest: child1.digest, size: child1.manifest.length }
      })
    )
    const referrerDigest = await pushManifest(b.url, 'multi', sha256(referrer), referrer, MediaTypes.ociManifest)
    // An untagged image nothing refers to.
    const stale = await pushImage(b.url, 'multi', 'stale')
    await fetch(`${b.url}/v2/multi/manifests/stale`, { method: 'DELETE' })
    ageTouches(b)

    const withReferrers = await collectGarbage(b.storage, { untagged: true, referrers: true, dryRun: true })
    expect(withReferrers.manifests.map((m) => m.digest)).toEqual([stale.digest])
    const report = await collectGarbage(b.storage, { untagged: true, referrers: false })
    expect(report.manifests.map((m) => m.digest).sort()).toEqual([referrerDigest, stale.digest].sort())
    for (const c of [child1, child2]) expect((await fetch(`${b.url}/v2/multi/manifests/${c.digest}`, { method: 'HEAD', headers: { Accept: MediaTypes.ociManifest } })).status).toBe(200)
    expect((await fetch(`${b.url}/v2/multi/manifests/${stale.digest}`, { method: 'HEAD', headers: { Accept: MediaTypes.ociManifest } })).status).toBe(404)
  })
})

describe('usage, retention, repositories, verify, folders', () => {
  it('a service started like `berth serve --port 0` can open and move its folder (port 0 stays a valid saved setting); long operations never overlap', async () => {
    const { createService } = await import('../../src/main/service/service')
    const { dispatch } = await import('../../src/main/service/dispatch')
    const service = createService({ settingsFile: null, defaults: { port: 0, host: '127.0.0.1', dataDir: await tempDir(), startOnLaunch: false, startAtLogin: false } })
    await service.init({ startRegistry: true })
    try {
      const other = await tempDir()
      expect(await dispatch(service.api, 'storage.open', { dataDir: other })).toMatchObject({ ok: true })
      expect(service.registry.status()).toMatchObject({ state: 'running', dataDir: other })
      const target = join(await tempDir(), 'moved')
      expect(await dispatch(service.api, 'storage.move', { target })).toMatchObject({ ok: true, result: { to: target } })
      expect(service.registry.status()).toMatchObject({ state: 'running', dataDir: target })
      // Long operations do not overlap, and the folder is not switched under one.
      const b = await startBerth({ dataDir: target })
      running.push(b)
      await pushBlob(b.url, 'big', randomBytes(128 * 1024 * 1024))
      const verifying = dispatch(service.api, 'storage.verify', undefined)
      // Hashing 128 MiB takes a good tenth of a second: ask while it runs.
      await new Promise((r) => setTimeout(r, 5))
      expect(await dispatch(service.api, 'storage.open', { dataDir: other })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
      expect(await dispatch(service.api, 'storage.gc', { dryRun: true })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/busy with verifying the blobs/) } })
      expect(await verifying).toMatchObject({ ok: true })
      // A person still cannot choose port 0 in the settings.
      expect(await dispatch(service.api, 'settings.update', { port: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    } finally {
      await service.dispose()
    }
  }, 60_000)

  it('usage: unique and shared bytes per repository, unreferenced blobs, uploads, free space', async () => {
    const b = await berth()
    const shared = randomBytes(10_000)
    const a = await pushImage(b.url, 'a', 'v1', [shared, randomBytes(100)])
    const c = await pushImage(b.url, 'c', 'v1', [shared])
    await pushBlob(b.url, 'c', randomBytes(777))
    const u = await storageUsage(b.storage)
    const ra = u.repositories.find((r) => r.name === 'a')!
    const rc = u.repositories.find((r) => r.name === 'c')!
    expect(ra.totalBytes).toBe(a.bytes)
    expect(ra.sharedBytes).toBe(10_000)
    expect(ra.uniqueBytes).toBe(a.bytes - 10_000)
    expect(rc.uniqueBytes).toBe(c.bytes - 10_000)
    // Uploaded moments ago in this process: kept for now, by the dry run's rule; unreferenced once that grace is over.
    expect(u.keptForNow).toEqual({ count: 1, bytes: 777 })
    expect(u.unreferenced).toEqual({ count: 0, bytes: 0 })
    expect(u.blobs.count).toBe(2 + 2 + 1 + 1 + 1 + 1 - 1) // 2 manifests, 2 configs, 3 distinct layers, 1 orphan
    expect(u.volume.freeBytes).toBeGreaterThan(0)
    expect(isLowSpace(1e9, 1e12)).toBe(true)
    expect(isLowSpace(500e9, 1e12)).toBe(false)
  })

  it('retention: keeps the N newest per repository, drops only the old, matches patterns, and deletes exactly the preview', async () => {
    const b = await berth()
    const now = Date.now()
    for (let i = 1; i <= 5; i++) {
      await pushImage(b.url, 'svc/api', `pr-${i}`)
      const link = paths.tagCurrentLink(b.storage.layout, 'svc/api', `pr-${i}`)
      const t = new Date(now - (6 - i) * 86_400_000)
      await utimes(link, t, t)
    }
    await pushImage(b.url, 'svc/api', 'release')
    expect(globToRegExp('svc/*').test('svc/api')).toBe(true)
    expect(globToRegExp('svc/*').test('svc/a/b')).toBe(false)
    const keep2 = await retentionCandidates(b.storage, { repositories: 'svc/*', tags: 'pr-*', keepLast: 2 })
    expect(keep2.map((c) => c.tag).sort()).toEqual(['pr-1', 'pr-2', 'pr-3'])
    const old = await retentionCandidates(b.storage, { tags: 'pr-*', olderThan: new Date(now - 3.5 * 86_400_000).toISOString() })
    expect(old.map((c) => c.tag).sort()).toEqual(['pr-1', 'pr-2'])
    const both = await retentionCandidates(b.storage, { keepLast: 4, olderThan: new Date(now - 1.5 * 86_400_000).toISOString() })
    expect(both.map((c) => c.tag).sort()).toEqual(['pr-1', 'pr-2'])
    // A tag that moved after the preview is skipped, not deleted.
    await pushImage(b.url, 'svc/api', 'pr-1')
    expect(await applyRetention(b.storage, keep2)).toMatchObject({ deleted: 2, skipped: 1 })
    expect((await b.storage.repos.tags('svc/api'))!.slice().sort()).toEqual(['pr-1', 'pr-4', 'pr-5', 'release'])
  })

  it('deleting a repository leaves its nested neighbours and leaves the catalog at once', async () => {
    const b = await berth()
    await pushImage(b.url, 'team', 'v1')
    await pushImage(b.url, 'team/app', 'v1')
    expect(await b.storage.repos.deleteRepository('team')).toBe(1)
    expect(await catalog(b.url)).toEqual(['team/app'])
    expect((await fetch(`${b.url}/v2/team/app/manifests/v1`, { method: 'HEAD', headers: { Accept: MediaTypes.ociManifest } })).status).toBe(200)
    expect(await b.storage.repos.deleteRepository('team')).toBe(null)
  })

  it('verify names a corrupt blob and a missing one with the tags they break', async () => {
    const b = await berth()
    const img = await pushImage(b.url, 'v', 'one', [randomBytes(1000), randomBytes(1000)])
    expect((await verifyStorage(b.storage)).problems).toEqual([])
    await writeFile(b.storage.blobs.dataPath(d(img.layerDigests[0])), randomBytes(1000))
    await rm(paths.blobDir(b.storage.layout, d(img.layerDigests[1])), { recursive: true })
    const report = await verifyStorage(b.storage)
    expect(report.problems).toEqual(
      expect.arrayContaining([
        { digest: img.layerDigests[0], problem: 'corrupt', tags: ['v:one'] },
        { digest: img.layerDigests[1], problem: 'missing', tags: ['v:one'] }
      ])
    )
  })

  it('folders: inspects, normalises a path given as the v2 tree, and copies verified (refusing a corrupt source)', async () => {
    const b = await berth()
    const img = await pushImage(b.url, 'x', 'v1')
    const info = await inspectFolder(b.dataDir)
    expect(info).toMatchObject({ isRegistry: true, repositories: 1, exists: true })
    expect(normalizeDataDir(join(b.dataDir, 'docker', 'registry', 'v2'))).toBe(b.dataDir)
    const other = await tempDir()
    await mkdir(join(other, 'stuff'))
    expect((await inspectFolder(other)).isRegistry).toBe(false)

    const target = join(await tempDir(), 'moved')
    const copied = await copyDataFolder(b.dataDir, target)
    expect(copied.files).toBeGreaterThan(5)
    expect((await verifyStorage(await openStorage(target))).problems).toEqual([])
    await expect(copyDataFolder(b.dataDir, target)).rejects.toThrow(/not empty/)

    await writeFile(b.storage.blobs.dataPath(d(img.layerDigests[0])), randomBytes(4096))
    const target2 = join(await tempDir(), 'moved2')
    await expect(copyDataFolder(b.dataDir, target2)).rejects.toThrow(/does not match its digest/)
    expect(await readdir(join(target2, '..'))).toEqual([])
  })
})
