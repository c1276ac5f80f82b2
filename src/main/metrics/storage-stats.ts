import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Storage } from '../storage'

/*
 * Blob count and bytes for the metrics, without walking the store at every scrape: a walk runs at
 * most once per `maxAgeMs` in the background and a scrape reads the last answer (the very first
 * scrape waits for one walk).
 */

export interface StorageNumbers {
  blobs: number
  bytes: number
  repositories: number
}

async function walkBlobs(blobsDir: string): Promise<{ blobs: number; bytes: number }> {
  let blobs = 0
  let bytes = 0
  const list = (dir: string) => readdir(dir).catch(() => [] as string[])
  for (const alg of await list(blobsDir))
    for (const prefix of await list(join(blobsDir, alg)))
      for (const hex of await list(join(blobsDir, alg, prefix))) {
        const s = await stat(join(blobsDir, alg, prefix, hex, 'data')).catch(() => null)
        if (!s) continue
        blobs++
        bytes += s.size
      }
  return { blobs, bytes }
}

export class StorageStats {
  private last: StorageNumbers | null = null
  private lastFor: Storage | null = null
  private at = -Infinity
  private walking: Promise<StorageNumbers> | null = null

  constructor(
    private readonly storage: () => Promise<Storage | null>,
    private readonly maxAgeMs = 60_000
  ) {}

  async numbers(): Promise<StorageNumbers | null> {
    const storage = await this.storage()
    if (!storage) return null
    const stale = this.lastFor !== storage || performance.now() - this.at > this.maxAgeMs
    if (stale && !this.walking) {
      this.walking = this.walk(storage).finally(() => (this.walking = null))
      this.walking.catch(() => {})
    }
    if (this.lastFor !== storage || !this.last) return this.walking ? this.walking : this.last
    return this.last
  }

  private async walk(storage: Storage): Promise<StorageNumbers> {
    const [blobs, repositories] = await Promise.all([walkBlobs(storage.layout.blobs), storage.catalog.list()])
    this.last = { ...blobs, repositories: repositories.length }
    this.lastFor = storage
    this.at = performance.now()
    return this.last
  }
}
