/*
 * What lets the garbage collector sweep while the registry keeps serving.
 *
 * A push is not atomic: a client uploads (or finds, by HEAD or mount) its blobs first and names them
 * in a manifest only at the end. Between the two, those blobs are referenced by nothing, and a
 * mark-and-sweep would take them. So every place where a client learns "this blob is here" or makes
 * it so records a touch, under a per-digest lock that the sweep takes too:
 *
 *   - a touch during a collection protects the digest for that whole collection;
 *   - a touch in the last `graceMs` protects it until a manifest that references it is stored
 *     (then the manifest's own reachability decides), so a push that began just before the
 *     collection is not cut in half.
 *
 * The lock makes "check, then act" atomic per digest: the sweep never deletes a blob between a
 * client's existence check and its use, and a commit never drops its copy because a blob that is
 * being deleted still looked present.
 */
/** Milliseconds since the epoch; a seam so tests can move time instead of editing the guard's state. */
export type Clock = () => number

export type GuardReason = 'touched during the collection' | 'pushed moments ago, no manifest names it yet'

export class BlobGuard {
  private readonly touched = new Map<string, number>()
  private readonly referenced = new Map<string, number>()
  private readonly locks = new Map<string, Promise<unknown>>()
  private collectionStartedAt: number | null = null

  constructor(
    readonly graceMs = 10 * 60_000,
    private readonly now: Clock = Date.now
  ) {}

  /** Records that a client just found or made the blob `digest` (call inside `withLock`). */
  touch(digest: string): void {
    const now = this.now()
    this.touched.set(digest, now)
    if (this.touched.size > 200_000) this.forgetOlderThan(now - this.graceMs)
  }

  /**
   * A stored manifest references `digests`: from now on its reachability keeps them. During a
   * collection that counts as a touch too: its scan may have read the repository before the
   * manifest's links were written, while the client's checks came before the collection began.
   */
  referencedBy(digests: readonly string[]): void {
    const now = this.now()
    for (const d of digests) {
      if (this.collectionStartedAt !== null) this.touched.set(d, now)
      this.referenced.set(d, now)
    }
    if (this.referenced.size > 200_000) this.forgetOlderThan(now - this.graceMs)
  }

  beginCollection(): void {
    this.collectionStartedAt = this.now()
  }

  endCollection(): void {
    this.collectionStartedAt = null
    this.forgetOlderThan(this.now() - this.graceMs)
  }

  /** Whether the sweep must leave `digest` alone although no tag reaches it (call inside `withLock`). */
  isProtected(digest: string): boolean {
    return this.protection(digest) !== null
  }

  /** Why the sweep must leave `digest` alone, or null: touched during this collection, or recently and not yet named by a manifest. */
  protection(digest: string): GuardReason | null {
    const at = this.touched.get(digest)
    if (at === undefined) return null
    if (this.collectionStartedAt !== null && at >= this.collectionStartedAt) return 'touched during the collection'
    const ref = this.referenced.get(digest)
    return this.now() - at < this.graceMs && (ref === undefined || ref < at) ? 'pushed moments ago, no manifest names it yet' : null
  }

  /** What protects `digest`, as a sentence for people (what touched it and when), or null. */
  explain(digest: string): string | null {
    const reason = this.protection(digest)
    if (reason === null) return null
    if (reason === 'touched during the collection') return 'a client uploaded, checked or mounted it while this collection ran'
    const seconds = Math.max(0, Math.round((this.now() - (this.touched.get(digest) ?? this.now())) / 1000))
    return `uploaded, checked or mounted by a client ${seconds} s ago and no manifest names it yet (a push may be under way); kept until that is ${Math.round(this.graceMs / 60_000)} min ago`
  }

  /** When `digest` was last touched (found or made), by anyone; undefined when not recently. */
  touchedAt(digest: string): number | undefined {
    return this.touched.get(digest)
  }

  /** Whether a stored manifest has named `digest` since `since`. */
  referencedSince(digest: string, since: number): boolean {
    const ref = this.referenced.get(digest)
    return ref !== undefined && ref >= since
  }

  /** Runs `fn` while no other `withLock` of the same digest runs. */
  async withLock<T>(digest: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(digest) ?? Promise.resolve()
    const run = before.then(fn, fn)
    const tail = run.catch(() => {})
    this.locks.set(digest, tail)
    try {
      return await run
    } finally {
      if (this.locks.get(digest) === tail) this.locks.delete(digest)
    }
  }

  private forgetOlderThan(limit: number): void {
    for (const [d, at] of this.touched) if (at < limit && (this.collectionStartedAt === null || at < this.collectionStartedAt)) this.touched.delete(d)
    for (const [d, at] of this.referenced) if (at < limit) this.referenced.delete(d)
  }
}
