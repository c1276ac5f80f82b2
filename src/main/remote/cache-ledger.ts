import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../storage/core/files'
import type { Layout } from '../storage/core/paths'

// What the pull-through cache fetched, and when each cached tag was last pulled and checked with its
// upstream: `<data>/berth/mirror-cache.json`. A tag here whose link no longer points at the
// recorded digest was pushed over by someone: it is theirs now, never revalidated or evicted.

export interface CachedTag {
  repository: string
  tag: string
  digest: string
  upstream: string
  fetchedAt: number
  validatedAt: number
  pulledAt: number
}

interface LedgerFile {
  version: 1
  tags: CachedTag[]
}

export class CacheLedger {
  private readonly tags = new Map<string, CachedTag>()
  private loaded: Promise<void> | null = null
  private saveTimer: NodeJS.Timeout | null = null
  private saving: Promise<void> = Promise.resolve()

  constructor(private readonly layout: Layout) {}

  private get file(): string {
    return join(this.layout.berth, 'mirror-cache.json')
  }

  private key(repository: string, tag: string): string {
    return `${repository}:${tag}`
  }

  load(): Promise<void> {
    this.loaded ??= readFile(this.file, 'utf8').then(
      (text) => {
        const parsed = JSON.parse(text) as LedgerFile
        for (const t of parsed.tags ?? []) this.tags.set(this.key(t.repository, t.tag), t)
      },
      () => {}
    )
    return this.loaded
  }

  async get(repository: string, tag: string): Promise<CachedTag | null> {
    await this.load()
    return this.tags.get(this.key(repository, tag)) ?? null
  }

  async all(): Promise<CachedTag[]> {
    await this.load()
    return [...this.tags.values()]
  }

  async put(entry: CachedTag): Promise<void> {
    await this.load()
    this.tags.set(this.key(entry.repository, entry.tag), entry)
    this.scheduleSave()
  }

  async touch(repository: string, tag: string, fields: Partial<Pick<CachedTag, 'pulledAt' | 'validatedAt'>>): Promise<void> {
    const entry = await this.get(repository, tag)
    if (!entry) return
    Object.assign(entry, fields)
    this.scheduleSave()
  }

  async remove(repository: string, tag: string): Promise<void> {
    await this.load()
    this.tags.delete(this.key(repository, tag))
    this.scheduleSave()
  }

  /** Writes at most every half second: a pull touches many entries at once. */
  private scheduleSave(): void {
    if (this.saveTimer) return
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null
      void this.flush()
    }, 500)
    this.saveTimer.unref()
  }

  flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer)
      this.saveTimer = null
    }
    const body: LedgerFile = { version: 1, tags: [...this.tags.values()] }
    this.saving = this.saving.then(() => writeFileAtomic(this.file, JSON.stringify(body)).catch(() => {}))
    return this.saving
  }
}
