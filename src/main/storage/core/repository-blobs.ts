import type { Writable } from 'node:stream'
import type { Digest } from '@shared/reference'
import type { BlobStore } from './blobs'
import type { RepositoryStore } from './repositories'

/**
 * One repository's view of the blob store, as Distribution's linkedBlobStore: a repository serves
 * only what is linked into it. Every "is it here?" a client will rely on is a claim (see guard.ts),
 * so a collection running now leaves the blob alone.
 */
export class RepositoryBlobs {
  constructor(
    readonly name: string,
    private readonly blobs: BlobStore,
    private readonly repos: RepositoryStore
  ) {}

  /** The size of a blob the repository serves (a linked layer or config, or a manifest revision), or null. */
  async stat(digest: Digest): Promise<number | null> {
    if (!(await this.repos.hasBlob(this.name, digest))) return null
    return this.blobs.claim(digest)
  }

  /** The size of a manifest the repository holds as a revision (an index's child), or null. */
  async statManifest(digest: Digest): Promise<number | null> {
    if (!(await this.repos.hasRevision(this.name, digest))) return null
    return this.blobs.claim(digest)
  }

  /** Sends a blob the caller has just `stat`ed to `out` and ends it (a range is inclusive, as HTTP's; no buffer made per chunk). */
  send(digest: Digest, range: { start: number; end: number }, out: Writable): Promise<void> {
    return this.blobs.send(digest, range, out)
  }

  /**
   * Links a stored blob into this repository without moving a byte: from repository `from` when it
   * serves the blob, or (`from` null: automatic content discovery) from any stored copy. False when
   * there is nothing to mount.
   */
  async mountFrom(digest: Digest, from: string | null): Promise<boolean> {
    if (from !== null && !(await this.repos.hasBlob(from, digest))) return false
    if ((await this.blobs.claim(digest)) === null) return false
    await this.repos.linkLayer(this.name, digest)
    return true
  }
}
