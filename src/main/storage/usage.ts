import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from './index'
import type { Inspector } from './inspect'

export interface RepositoryUsage {
  name: string
  tagCount: number
  /** Digest → size of everything the repository's tags reach. */
  reach: Map<string, number>
  lastPush: Date | null
  computedAt: number
}

export interface RepositorySizes {
  name: string
  tagCount: number
  totalSize: number
  uniqueSize: number
  lastPush: Date | null
}

/**
 * Sizes per repository: what its tags reach (shared layers counted once) and the part no other
 * repository reaches. Cached per repository; `invalidate` on every change Berth sees, and entries
 * older than `maxAgeMs` are recomputed (changes made by another process on the same folder).
 */
export class UsageIndex {
  private readonly cache = new Map<string, RepositoryUsage>()

  constructor(
    private readonly storage: Storage,
    private readonly inspector: Inspector,
    private readonly maxAgeMs = 15_000
  ) {}

  invalidate(name?: string): void {
    if (name === undefined) this.cache.clear()
    else this.cache.delete(name)
  }

  async repository(name: string): Promise<RepositoryUsage> {
    const cached = this.cache.get(name)
    if (cached && Date.now() - cached.computedAt < this.maxAgeMs) return cached
    const tags = (await this.storage.repos.tags(name)) ?? []
    const infos = await Promise.all(tags.map((t) => this.storage.repos.tagInfo(name, t)))
    const reach = new Map<string, number>()
    let lastPush: Date | null = null
    for (const info of infos) {
      if (!info) continue
      if (!lastPush || info.pushedAt > lastPush) lastPush = info.pushedAt
      await this.inspector.reach(info.digest, reach)
    }
    const usage = { name, tagCount: infos.filter(Boolean).length, reach, lastPush, computedAt: Date.now() }
    this.cache.set(name, usage)
    return usage
  }

  /** Sizes for `names` (unique sizes are computed against every repository of the registry). */
  async sizes(names: readonly string[]): Promise<RepositorySizes[]> {
    const all = await this.storage.catalog.list()
    const usages = await mapLimit(all, 16, (n) => this.repository(n))
    const holders = new Map<string, number>()
    for (const u of usages) for (const d of u.reach.keys()) holders.set(d, (holders.get(d) ?? 0) + 1)
    const byName = new Map(usages.map((u) => [u.name, u]))
    return names.map((name) => {
      const u = byName.get(name)
      if (!u) return { name, tagCount: 0, totalSize: 0, uniqueSize: 0, lastPush: null }
      let total = 0
      let unique = 0
      for (const [d, size] of u.reach) {
        total += size
        if (holders.get(d) === 1) unique += size
      }
      return { name, tagCount: u.tagCount, totalSize: total, uniqueSize: unique, lastPush: u.lastPush }
    })
  }
}

export function digestOrNull(text: string): Digest | null {
  const d = parseDigest(text)
  return typeof d === 'object' ? d : null
}

/** Promise.all with at most `limit` running at once (keeps file handles bounded on big registries). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  async function worker() {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
