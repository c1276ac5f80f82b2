import { createHash, randomUUID } from 'node:crypto'
import { rmdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { BerthError } from '@shared/errors'
import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../index'
import { listDir, removeTree, statOrNull } from '../core/files'
import { paths } from '../core/paths'
import { UploadError } from '../core/uploads'
import { BodyInterruptedError } from '../core/body-writer'

export interface AreaBlob {
  digest: Digest
  size: number
  /** The content starts with gzip's magic bytes (decides a docker layer's media type). */
  gzip: boolean
}

/** What this import put into the blob store itself (the store lacked it), and when its commit touched it. */
interface Fresh {
  digest: Digest
  touchedAt: number
}

/**
 * Blobs of one import, written through the upload store into a hidden repository of their own (so
 * each digest is verified and committed like a push, and nothing reaches a real repository until
 * the whole archive has been read and checked). `dispose()` removes that repository: whatever was
 * read but not linked into a real repository is then unreferenced, for the garbage collector.
 */
export class ImportArea {
  readonly repository = paths.importAreaName(randomUUID().replaceAll('-', ''))
  private readonly byDigest = new Map<string, AreaBlob>()
  private readonly fresh = new Map<string, Fresh>()

  constructor(private readonly storage: Storage) {}

  /**
   * Removes import areas left by imports that never finished (a killed process) once they are a day
   * old: their blobs are then unreferenced, and the garbage collector takes them.
   */
  static async sweepStale(storage: Storage, maxAgeMs = 24 * 3_600_000, now = Date.now()): Promise<number> {
    const parent = paths.importAreaParent(storage.layout)
    let removed = 0
    for (const name of await listDir(parent)) {
      const st = await statOrNull(join(parent, name))
      if (!st?.isDirectory() || now - st.mtimeMs < maxAgeMs) continue
      await removeTree(join(parent, name))
      removed++
    }
    return removed
  }

  get(digest: string): AreaBlob | undefined {
    return this.byDigest.get(digest)
  }

  /**
   * Streams `content` into the store. With `expected` the content must hash to it (an OCI blob's
   * path, a docker config's file name), else INVALID_INPUT naming `where`; without it, its digest
   * is whatever it hashes to.
   */
  async add(content: AsyncIterable<Buffer>, where: string, expected?: Digest): Promise<AreaBlob> {
    // With a digest to check, the upload store's own running hash does it (one pass over the bytes).
    const hash = expected ? null : createHash('sha256')
    let head: Buffer | null = null
    async function* tap(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        if (!head) head = chunk.subarray(0, 2)
        else if (head.length < 2) head = Buffer.concat([head, chunk.subarray(0, 2 - head.length)])
        hash?.update(chunk)
        yield chunk
      }
    }
    const { uuid } = await this.storage.uploads.start(this.repository)
    let committed = false
    try {
      await this.storage.uploads.append(this.repository, uuid, Readable.from(tap(content)))
      const digest = expected ?? (parseDigest(`sha256:${hash!.digest('hex')}`) as Digest)
      const existed = (await this.storage.blobs.size(digest)) !== null
      const size = await this.storage.uploads.commit(this.repository, uuid, digest)
      committed = true
      const touchedAt = this.storage.blobs.guard.touchedAt(digest.value)
      if (!existed && touchedAt !== undefined && !this.fresh.has(digest.value)) this.fresh.set(digest.value, { digest, touchedAt })
      const h = head as Buffer | null
      const blob: AreaBlob = { digest, size, gzip: h !== null && h.length === 2 && h[0] === 0x1f && h[1] === 0x8b }
      this.byDigest.set(digest.value, blob)
      return blob
    } catch (err) {
      // The archive's own read failed (a damaged gzip, a short file): that error is the one to tell.
      if (err instanceof BodyInterruptedError && err.cause !== undefined) throw err.cause
      if (err instanceof UploadError && err.reason === 'digest')
        throw new BerthError('INVALID_INPUT', `The archive entry ${where} should hold ${expected?.value} but its content differs (${err.message}): the archive is damaged; export it again.`)
      throw err
    } finally {
      if (!committed) await this.storage.uploads.cancel(this.repository, uuid).catch(() => {})
    }
  }

  /**
   * Takes back out of the blob store what this import stored and no imported image uses (the OCI
   * rendering of a docker manifest when the original was restored, a manifest the index does not
   * reach), so an import leaves no unreferenced blob behind. Blobs the store held before, or that
   * anyone touched since, stay. Returns how many went.
   */
  async discardUnused(used: ReadonlySet<string>): Promise<number> {
    let removed = 0
    for (const { digest, touchedAt } of this.fresh.values()) if (!used.has(digest.value) && (await this.storage.blobs.discard(digest, touchedAt))) removed++
    return removed
  }

  async dispose(): Promise<void> {
    const dir = paths.repo(this.storage.layout, this.repository)
    await removeTree(dir)
    // The shared parent goes too once no other import uses it.
    await rmdir(dirname(dir)).catch(() => {})
  }
}
