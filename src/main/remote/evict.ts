import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import { collectGarbage } from '../storage/manage'
import { Inspector } from '../storage/manage/inspect'
import type { CacheLedger, CachedTag } from './cache-ledger'

// The cache's size budget: cached tags (still pointing where the cache put them) are untagged,
// least recently pulled first, until the blobs the remaining ones reach fit the budget; their
// manifests go with them (unless another tag still reaches them), then the garbage collector frees
// the bytes. The most recently pulled tag always stays: a budget smaller than one image still caches it.

async function reachOf(storage: Storage, inspector: Inspector, digest: string): Promise<Map<string, number>> {
  const d = parseDigest(digest)
  if (typeof d !== 'object') return new Map()
  const reach = await inspector.reach(d)
  // Only what is on disk counts (a cache holds the blobs clients asked for, not every platform's).
  const present = new Map<string, number>()
  for (const [digestText, size] of reach) {
    const b = parseDigest(digestText) as Digest
    if ((await storage.blobs.size(b)) !== null) present.set(digestText, size)
  }
  return present
}

function total(sets: Map<string, number>[]): number {
  const union = new Map<string, number>()
  for (const s of sets) for (const [d, size] of s) union.set(d, size)
  let sum = 0
  for (const size of union.values()) sum += size
  return sum
}

/** Evicts until the cache fits `budgetBytes`; returns the tags evicted (and collects their bytes). */
export async function enforceBudget(storage: Storage, ledger: CacheLedger, budgetBytes: number): Promise<CachedTag[]> {
  const inspector = new Inspector(storage.blobs)
  const live: { entry: CachedTag; reach: Map<string, number> }[] = []
  for (const entry of await ledger.all()) {
    const current = await storage.repos.resolveTag(entry.repository, entry.tag)
    if (current?.value !== entry.digest) {
      // Pushed over or deleted by someone: no longer the cache's.
      await ledger.remove(entry.repository, entry.tag)
      continue
    }
    live.push({ entry, reach: await reachOf(storage, inspector, entry.digest) })
  }
  live.sort((a, b) => a.entry.pulledAt - b.entry.pulledAt)
  const evicted: CachedTag[] = []
  const freed = new Set<string>()
  while (live.length > 1 && total(live.map((l) => l.reach)) > budgetBytes) {
    const { entry, reach } = live.shift()!
    await storage.repos.untag(entry.repository, entry.tag)
    await ledger.remove(entry.repository, entry.tag)
    // Manifest revisions the evicted tag reached, unless a remaining tag of that repository reaches them.
    const keep = new Set<string>()
    for (const tag of (await storage.repos.tags(entry.repository)) ?? []) {
      const d = await storage.repos.resolveTag(entry.repository, tag)
      if (d) for (const k of (await inspector.reach(d)).keys()) keep.add(k)
    }
    for (const digestText of reach.keys()) {
      const d = parseDigest(digestText) as Digest
      if (!keep.has(digestText) && (await storage.repos.hasRevision(entry.repository, d))) await storage.repos.unlinkRevision(entry.repository, d)
      freed.add(digestText)
    }
    evicted.push(entry)
  }
  if (evicted.length > 0) {
    // Clients touched these blobs when pulling them (which protects a blob for a while, see guard.ts);
    // from now on reachability alone decides, so what no remaining tag reaches is swept.
    storage.blobs.guard.referencedBy([...freed])
    await collectGarbage(storage)
    await ledger.flush()
  }
  return evicted
}
