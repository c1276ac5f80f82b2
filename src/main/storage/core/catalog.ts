import type { ChangeFeed } from './changes'
import { isHiddenRepository, type Layout } from './paths'
import { findRepositories } from './repository-walk'

/**
 * The list of repositories, kept sorted in memory. Distribution walks the whole tree on every
 * catalog request; Berth walks it at most once per `maxAgeMs` (so changes another process makes,
 * e.g. docker-registry on the same folder, show up within that time) and adds the repositories it
 * creates itself at once.
 */
export class CatalogIndex {
  private names: string[] = []
  private walkedAt = -Infinity
  private walking: Promise<void> | null = null
  /** Names added while a walk was under way: the walk may have read the tree before they existed. */
  private addedDuringWalk = new Set<string>()

  constructor(
    private readonly layout: Layout,
    feed: ChangeFeed,
    private readonly maxAgeMs = 1000
  ) {
    // Berth's own writes show at once; another process's within `maxAgeMs`.
    feed.subscribe(({ repository, action }) => {
      // '' is "anything may have changed" (the folder came back): walk again at the next read.
      if (repository === '') this.walkedAt = -Infinity
      if (repository === '' || isHiddenRepository(repository)) return
      if (action === 'delete-repository') this.remove(repository)
      else this.add(repository)
    })
  }

  async list(): Promise<readonly string[]> {
    if (performance.now() - this.walkedAt > this.maxAgeMs) await this.refresh()
    return this.names
  }

  /** Walks the tree now (coalesced: concurrent callers share one walk). */
  refresh(): Promise<void> {
    if (!this.walking) {
      const started = performance.now()
      this.addedDuringWalk = new Set()
      this.walking = findRepositories(this.layout.repositories)
        .then((names) => {
          // An import keeps its blobs in a repository of its own, which is nobody's business.
          const visible = names.filter((n) => !isHiddenRepository(n))
          this.names = [...new Set([...visible, ...this.addedDuringWalk])].sort(compareNames)
          this.walkedAt = started
        })
        .finally(() => {
          this.walking = null
        })
    }
    return this.walking
  }

  /** A repository this process just wrote to. */
  private add(name: string): void {
    if (this.walking) this.addedDuringWalk.add(name)
    const i = lowerBound(this.names, name)
    if (this.names[i] !== name) this.names = [...this.names.slice(0, i), name, ...this.names.slice(i)]
  }

  private remove(name: string): void {
    const i = lowerBound(this.names, name)
    if (this.names[i] === name) this.names = [...this.names.slice(0, i), ...this.names.slice(i + 1)]
  }

  /** One page after `last` (exclusive), at most `n` names, and whether more follow. */
  async page(n: number, last?: string): Promise<{ names: string[]; more: boolean }> {
    const all = await this.list()
    let start = 0
    if (last !== undefined) {
      start = lowerBound(all, last)
      if (all[start] === last) start++
    }
    const names = all.slice(start, start + n)
    return { names, more: start + n < all.length }
  }
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}
