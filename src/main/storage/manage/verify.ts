import type { VerifyReport } from '@shared/model/storage'
import { hashFile } from '../core/blobs'
import { mapLimit } from '../core/files'
import type { Storage } from '../index'
import { listBlobs, scanRepositories, type ProgressFn } from './scan'

/**
 * Re-hashes every blob and checks that everything a tag reaches is there. A corrupt blob (bytes that
 * no longer match their digest) or a missing one is reported with the tags (`repo:tag`) it breaks.
 * Reads only; progress is in bytes hashed.
 */
export async function verifyStorage(storage: Storage, onProgress?: ProgressFn): Promise<VerifyReport> {
  const started = performance.now()
  const blobs = await listBlobs(storage)
  const total = [...blobs.values()].reduce((n, b) => n + b.size, 0)
  let hashed = 0
  const corrupt = new Set<string>()
  await mapLimit([...blobs.values()], 2, async (b) => {
    const actual = await hashFile(storage.blobs.dataPath(b.digest), b.digest.algorithm)
    if (actual !== b.digest.hex) corrupt.add(b.digest.value)
    hashed += b.size
    onProgress?.({ phase: 'hashing', done: hashed, total, item: b.digest.value })
  })

  // Which tags need which digests; a manifest that is corrupt is not followed (its JSON cannot be trusted).
  const inspector = storage.inspector
  const needers = new Map<string, Set<string>>()
  const need = (digest: string, tag: string) => {
    const set = needers.get(digest) ?? new Set<string>()
    set.add(tag)
    needers.set(digest, set)
  }
  for (const repo of await scanRepositories(storage)) {
    for (const t of repo.tags) {
      const name = `${repo.name}:${t.tag}`
      need(t.digest.value, name)
      if (corrupt.has(t.digest.value) || !blobs.has(t.digest.value)) continue
      for (const d of (await inspector.reach(t.digest)).keys()) need(d, name)
    }
  }
  const problems: VerifyReport['problems'] = []
  for (const d of corrupt) problems.push({ digest: d, problem: 'corrupt', tags: [...(needers.get(d) ?? [])].sort() })
  for (const [d, tags] of needers) if (!blobs.has(d)) problems.push({ digest: d, problem: 'missing', tags: [...tags].sort() })
  onProgress?.({ phase: 'done', done: total, total })
  return { checked: blobs.size, bytes: total, problems, durationMs: Math.round(performance.now() - started) }
}
