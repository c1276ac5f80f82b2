import type { Digest } from '@shared/reference'
import type { GcReport } from '@shared/model/storage'
import type { Storage } from '../index'
import { listBlobs, markReachable, scanRepositories, type ProgressFn } from './scan'

export interface GcOptions {
  dryRun?: boolean
  /** Also delete manifest revisions no tag reaches (Distribution's --delete-untagged). */
  untagged?: boolean
  /** With `untagged`: keep revisions whose subject is kept. */
  referrers?: boolean
}

/**
 * Online garbage collection: mark from the tree as it is now, then sweep what nothing reaches —
 * while the registry keeps serving. What a client touches during the run (or touched moments before
 * and has not yet named in a manifest) is protected by the storage's BlobGuard, and every deletion
 * happens under that digest's lock; see guard.ts. Uploads in progress live in `_uploads`, which the
 * sweep never enters.
 *
 * Order of the sweep: untagged revision links first (so no manifest is served whose blob is gone),
 * then blobs, each with the `_layers` links that named it, so HEAD answers 404 at once and a client
 * pushes the layer again rather than being told it exists.
 */
export function collectGarbage(storage: Storage, options: GcOptions = {}, onProgress?: ProgressFn): Promise<GcReport> {
  // Its many unlinks reach the change feed as one change: everything may have changed.
  return storage.changes.coalesce('collect', async () => {
    const report = await collect(storage, options, onProgress)
    if (report.blobs.length > 0 || report.manifests.length > 0) storage.changes.emit({ repository: '', action: 'collect' })
    return report
  })
}

async function collect(storage: Storage, options: GcOptions, onProgress?: ProgressFn): Promise<GcReport> {
  const inspector = storage.inspector
  const started = performance.now()
  const dryRun = options.dryRun ?? false
  const untagged = options.untagged ?? false
  const guard = storage.blobs.guard
  guard.beginCollection()
  try {
    const repositories = await scanRepositories(storage, onProgress)
    const { marked, keptRevisions } = await markReachable(inspector, repositories, { untagged, referrers: options.referrers ?? true }, onProgress)

    const manifests: GcReport['manifests'] = []
    const revisionCandidates: { repository: string; digest: Digest }[] = []
    for (const repo of repositories) {
      const kept = keptRevisions.get(repo.name)!
      for (const r of repo.revisions) if (!kept.has(r.value)) revisionCandidates.push({ repository: repo.name, digest: r })
    }
    const linkedBy = new Map<string, string[]>()
    for (const repo of repositories)
      for (const l of repo.layers) {
        const list = linkedBy.get(l.value)
        if (list) list.push(repo.name)
        else linkedBy.set(l.value, [repo.name])
      }

    const stored = await listBlobs(storage)
    const blobCandidates = [...stored.values()].filter((b) => !marked.has(b.digest.value))
    const total = revisionCandidates.length + blobCandidates.length
    let done = 0
    const kept: GcReport['kept'] = []
    /** What protects `digest`, as the guard says it now (read under the lock, right after the decision). */
    const keep = (kind: 'blob' | 'manifest', digest: string, bytes: number, repositories: string[]) => {
      kept.push({ kind, digest, bytes, reason: guard.explain(digest) ?? 'touched while the collection ran', ...(repositories.length ? { repositories } : {}) })
    }
    const step = (item: string) => onProgress?.({ phase: dryRun ? 'listing' : 'sweeping', done: ++done, total, item })

    for (const { repository, digest } of revisionCandidates) {
      const removed = dryRun
        ? !guard.isProtected(digest.value)
        : await guard.withLock(digest.value, async () => !guard.isProtected(digest.value) && (await storage.repos.unlinkRevision(repository, digest)))
      if (removed) manifests.push({ digest: digest.value, bytes: stored.get(digest.value)?.size ?? 0, repositories: [repository] })
      else keep('manifest', digest.value, stored.get(digest.value)?.size ?? 0, [repository])
      step(`${repository}@${digest.value}`)
    }

    const blobs: GcReport['blobs'] = []
    let freedBytes = 0
    for (const blob of blobCandidates) {
      const repos = linkedBy.get(blob.digest.value) ?? []
      let freed: number | null
      if (dryRun) freed = guard.isProtected(blob.digest.value) ? null : blob.size
      else
        freed = await storage.blobs.sweep(blob.digest, async () => {
          await Promise.all(repos.map((name) => storage.repos.unlinkLayer(name, blob.digest)))
        })
      if (freed === null) keep('blob', blob.digest.value, blob.size, repos)
      else {
        freedBytes += freed
        blobs.push({ digest: blob.digest.value, bytes: freed, ...(repos.length ? { repositories: repos } : {}) })
      }
      step(blob.digest.value)
    }
    onProgress?.({ phase: 'done', done: total, total })
    return { dryRun, marked: marked.size, blobs, manifests, freedBytes, protected: kept.length, kept, durationMs: Math.round(performance.now() - started) }
  } finally {
    guard.endCollection()
  }
}
