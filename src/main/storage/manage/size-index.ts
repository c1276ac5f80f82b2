import type { CatalogIndex } from '../core/catalog'
import type { ChangeFeed } from '../core/changes'
import { mapLimit } from '../core/files'
import type { RepositoryStore } from '../core/repositories'
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
 * repository reaches. Cached per repository and dropped by the change feed; entries older than
 * `maxAgeMs` are recomputed (changes made by another process on the same folder).
 */
export class SizeIndex {
  private readonly cache = new Map<string, RepositoryUsage>()

  constructor(
    private readonly repos: RepositoryStore,
    private readonly catalog: CatalogIndex,
    private readonly inspector: Inspector,
    feed: ChangeFeed,
    private readonly maxAgeMs = 15_000
  ) {
    feed.subscribe(({ repository }) => {
      if (repository === '') this.cache.clear()
      else this.cache.delete(repository)
    })
  }

  async repository(name: string): Promise<RepositoryUsage> {
    const cached = this.cache.get(name)
    if (cached && Date.now() - cached.computedAt < this.maxAgeMs) return cached
    const tags = (await this.repos.tags(name)) ?? []
    const infos = await Promise.all(tags.map((t) => this.repos.tagInfo(name, t)))
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
    const all = await this.catalog.list()
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
