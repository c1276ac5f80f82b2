import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, rename, unlink } from 'node:fs/promises'
import type { Digest, DigestAlgorithm } from '@shared/reference'
import { paths, type Layout } from './paths'
import { isNotFound, statOrNull, writeFileAtomic } from './fsx'

/** The global content-addressable store: `blobs/<alg>/<hh>/<hex>/data`. Knows nothing of repositories. */
export class BlobStore {
  constructor(private readonly layout: Layout) {}

  dataPath(digest: Digest): string {
    return paths.blobData(this.layout, digest)
  }

  /** Size in bytes, or null when the blob is not stored. */
  async size(digest: Digest): Promise<number | null> {
    const st = await statOrNull(this.dataPath(digest))
    return st && st.isFile() ? st.size : null
  }

  /**
   * Moves a verified file into place. Content-addressed: if the blob is already there the same
   * bytes are, so the new copy is dropped; concurrent commits of one digest all end in one blob.
   */
  async adopt(file: string, digest: Digest): Promise<void> {
    const target = this.dataPath(digest)
    if ((await this.size(digest)) !== null) {
      await unlink(file).catch(() => {})
      return
    }
    await mkdir(paths.blobDir(this.layout, digest), { recursive: true })
    await rename(file, target)
  }

  /** Stores small content (a manifest) whose digest the caller has computed. */
  async putBytes(digest: Digest, bytes: Uint8Array): Promise<void> {
    if ((await this.size(digest)) === bytes.length) return
    await writeFileAtomic(this.dataPath(digest), bytes)
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

/** Hashes a file from disk (when the running hash of an upload was lost, e.g. after a restart). */
export function hashFile(path: string, algorithm: DigestAlgorithm): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash(algorithm)
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })
}
