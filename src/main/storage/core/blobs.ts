import { createHash } from 'node:crypto'
import { open, readFile, rename, rm, unlink } from 'node:fs/promises'
import type { Digest, DigestAlgorithm } from '@shared/reference'
import type { Writable } from 'node:stream'
import { paths, type Layout } from './paths'
import { isNotFound, mkdirWithin, statOrNull, writeFileAtomic } from './files'
import { BlobGuard } from './guard'
import { sendFile } from './send-file'

/** The global content-addressable store: `blobs/<alg>/<hh>/<hex>/data`. Knows nothing of repositories. */
export class BlobStore {
  constructor(
    private readonly layout: Layout,
    /** Shared with the garbage collector: see guard.ts for why every "is it here?" goes through it. */
    readonly guard = new BlobGuard()
  ) {}

  dataPath(digest: Digest): string {
    return paths.blobData(this.layout, digest)
  }

  /** Size in bytes, or null when the blob is not stored. */
  async size(digest: Digest): Promise<number | null> {
    const st = await statOrNull(this.dataPath(digest))
    return st && st.isFile() ? st.size : null
  }

  /**
   * The size of a blob a client is about to rely on (HEAD before a push, a mount, a manifest's
   * reference), or null. Touches it, so a collection running now leaves it alone.
   */
  claim(digest: Digest): Promise<number | null> {
    return this.guard.withLock(digest.value, async () => {
      this.guard.touch(digest.value)
      return this.size(digest)
    })
  }

  /**
   * Moves a verified file into place. Content-addressed: if the blob is already there the same
   * bytes are, so the new copy is dropped; concurrent commits of one digest all end in one blob.
   */
  adopt(file: string, digest: Digest): Promise<void> {
    return this.guard.withLock(digest.value, async () => {
      this.guard.touch(digest.value)
      if ((await this.size(digest)) !== null) {
        await unlink(file).catch(() => {})
        return
      }
      await mkdirWithin(this.layout.v2, paths.blobDir(this.layout, digest))
      await rename(file, this.dataPath(digest))
    })
  }

  /** Stores small content (a manifest) whose digest the caller has computed. */
  putBytes(digest: Digest, bytes: Uint8Array): Promise<void> {
    return this.guard.withLock(digest.value, async () => {
      this.guard.touch(digest.value)
      if ((await this.size(digest)) === bytes.length) return
      await writeFileAtomic(this.dataPath(digest), bytes, { within: this.layout.v2 })
    })
  }

  /**
   * Deletes a blob for the garbage collector, then `after` (its links) under the same lock — unless a
   * client touched it (see guard.ts). Returns the bytes freed, or null when it was kept.
   */
  sweep(digest: Digest, after: () => Promise<void> = async () => {}): Promise<number | null> {
    return this.guard.withLock(digest.value, async () => {
      if (this.guard.isProtected(digest.value)) return null
      const size = await this.size(digest)
      await rm(paths.blobDir(this.layout, digest), { recursive: true, force: true })
      await after()
      return size ?? 0
    })
  }

  /**
   * Deletes a blob its writer made and then found it did not need (an import's OCI rendering), unless
   * anyone touched it after `touchedAt` (the writer's own commit) or a manifest named it since: then
   * someone else relies on it. Returns whether it went.
   */
  discard(digest: Digest, touchedAt: number): Promise<boolean> {
    return this.guard.withLock(digest.value, async () => {
      if (this.guard.touchedAt(digest.value) !== touchedAt || this.guard.referencedSince(digest.value, touchedAt)) return false
      await rm(paths.blobDir(this.layout, digest), { recursive: true, force: true })
      return true
    })
  }

  /** Sends bytes `start`..`end` (inclusive) of a stored blob to `out` and ends it (see send-file.ts). */
  send(digest: Digest, range: { start: number; end: number }, out: Writable): Promise<void> {
    return sendFile(this.dataPath(digest), range, out)
  }

  async readBytes(digest: Digest): Promise<Buffer | null> {
    try {
      return await readFile(this.dataPath(digest))
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }
}

/** Hashes a file from disk (when the running hash of an upload was lost, e.g. after a restart), through one buffer. */
export async function hashFile(path: string, algorithm: DigestAlgorithm): Promise<string> {
  const hash = createHash(algorithm)
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.allocUnsafeSlow(1 << 20)
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) return hash.digest('hex')
      hash.update(buffer.subarray(0, bytesRead))
    }
  } finally {
    await handle.close()
  }
}
