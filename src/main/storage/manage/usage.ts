import { statfs } from 'node:fs/promises'
import type { StorageUsage } from '@shared/model/storage'
import { isHiddenRepository } from '../core/paths'
import type { Storage } from '../index'
import { folderBytes, listBlobs, markReachable, scanRepositories, type ProgressFn } from './scan'

const GIB = 1024 ** 3

/** Low when under 10 % of the volume or under 2 GiB is free, whichever is less. */
export function isLowSpace(freeBytes: number, totalBytes: number): boolean {
  return freeBytes < Math.min(2 * GIB, totalBytes * 0.1)
}

/**
 * The whole picture of a data folder, read fresh from the tree: per repository what its tags reach
 * (unique to it, or shared with another repository), the unreferenced blobs a collection would free,
 * untagged manifests, uploads (abandoned = untouched for `uploadMaxAgeMs`) and the volume's free space.
 */
export async function storageUsage(
  storage: Storage,
  options: { uploadMaxAgeMs?: number } = {},
  onProgress?: ProgressFn
): Promise<StorageUsage> {
  const inspector = storage.inspector
  const repositories = await scanRepositories(storage, onProgress)
  const [blobs, everything, tree, volume] = await Promise.all([
    listBlobs(storage),
    markReachable(inspector, repositories, { untagged: false, referrers: true }),
    folderBytes(storage.layout.v2),
    statfs(storage.layout.root)
  ])

  // What each repository's tags reach, and how many repositories reach each digest.
  const reaches = new Map<string, Map<string, number>>()
  const holders = new Map<string, number>()
  for (const repo of repositories) {
    const reach = new Map<string, number>()
    for (const t of repo.tags) await inspector.reach(t.digest, reach)
    reaches.set(repo.name, reach)
    for (const d of reach.keys()) holders.set(d, (holders.get(d) ?? 0) + 1)
  }

  const manifestDigests = new Set<string>()
  let untaggedTotal = 0
  // An import's area is counted in the totals but is no repository of the user's.
  const perRepository = repositories.filter((repo) => !isHiddenRepository(repo.name)).map((repo) => {
    const reach = reaches.get(repo.name)!
    let totalBytes = 0
    let uniqueBytes = 0
    for (const [d, size] of reach) {
      const actual = blobs.get(d)?.size ?? size
      totalBytes += actual
      if (holders.get(d) === 1) uniqueBytes += actual
    }
    for (const r of repo.revisions) manifestDigests.add(r.value)
    const untaggedCount = repo.revisions.filter((r) => !reach.has(r.value)).length
    untaggedTotal += untaggedCount
    const lastPush = repo.tags.reduce<Date | null>((max, t) => (!max || t.pushedAt > max ? t.pushedAt : max), null)
    return {
      name: repo.name,
      tagCount: repo.tags.length,
      manifestCount: repo.revisions.length,
      untaggedCount,
      totalBytes,
      uniqueBytes,
      sharedBytes: totalBytes - uniqueBytes,
      lastPush: lastPush?.toISOString() ?? null
    }
  })

  let blobBytes = 0
  let unreferencedCount = 0
  let unreferencedBytes = 0
  const kept = { count: 0, bytes: 0 }
  for (const b of blobs.values()) {
    blobBytes += b.size
    if (everything.marked.has(b.digest.value)) continue
    // The same rule as the collector's: what the blob guard protects is kept, not freed.
    if (storage.blobs.guard.isProtected(b.digest.value)) {
      kept.count++
      kept.bytes += b.size
    } else {
      unreferencedCount++
      unreferencedBytes += b.size
    }
  }

  const uploads = await storage.uploads.survey(options.uploadMaxAgeMs ?? 24 * 3_600_000)
  const freeBytes = Number(volume.bavail) * Number(volume.bsize)
  const volumeBytes = Number(volume.blocks) * Number(volume.bsize)
  return {
    dataDir: storage.layout.root,
    totalBytes: tree.bytes,
    blobs: { count: blobs.size, bytes: blobBytes },
    manifests: { count: manifestDigests.size, untagged: untaggedTotal },
    unreferenced: { count: unreferencedCount, bytes: unreferencedBytes },
    keptForNow: kept,
    uploads,
    volume: { freeBytes, totalBytes: volumeBytes },
    lowSpace: isLowSpace(freeBytes, volumeBytes),
    repositories: perRepository,
    computedAt: new Date().toISOString()
  }
}
