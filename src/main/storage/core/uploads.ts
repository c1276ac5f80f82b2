import { createHash, randomUUID, type Hash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Digest } from '@shared/reference'
import { paths, type Layout } from './paths'
import { isNotFound, listDir, makeDir, removeTree, statOrNull, syncFile } from './files'
import { hashFile, type BlobStore } from './blobs'
import type { RepositoryStore } from './repositories'
import { findUploadingRepositories } from './repository-walk'

/** Why an upload operation was refused; the registry maps each to a spec error code. */
export class UploadError extends Error {
  constructor(
    readonly reason: 'unknown' | 'range' | 'digest' | 'size' | 'busy',
    message: string
  ) {
    super(message)
  }
}

interface LiveState {
  /** Running sha256 over the first `hashed` bytes; dropped when a write fails part-way. */
  hash: Hash | null
  hashed: number
  /** Serialises requests on one upload: a PATCH and a PUT never interleave their bytes. */
  queue: Promise<unknown>
  active: number
}

export interface UploadStatus {
  uuid: string
  size: number
  startedAt: Date
}

/**
 * Blob uploads in `_uploads/<uuid>/`. The bytes go straight to disk through a running hash, so an
 * upload of any size costs a few buffers of memory; the state lives on disk (data + startedat) and
 * survives a restart, the running hash is only a shortcut (without it, commit re-reads the file).
 */
export class UploadStore {
  private readonly live = new Map<string, LiveState>()

  constructor(
    private readonly layout: Layout,
    private readonly blobs: BlobStore,
    private readonly repos: RepositoryStore
  ) {}

  private key(name: string, uuid: string) {
    return `${name}\u0000${uuid}`
  }

  private state(name: string, uuid: string): LiveState {
    const key = this.key(name, uuid)
    let s = this.live.get(key)
    if (!s) {
      s = { hash: null, hashed: -1, queue: Promise.resolve(), active: 0 }
      this.live.set(key, s)
    }
    return s
  }

  /** Runs `fn` after any earlier operation on the same upload has finished. */
  private exclusive<T>(name: string, uuid: string, fn: (s: LiveState) => Promise<T>): Promise<T> {
    const s = this.state(name, uuid)
    s.active++
    const run = s.queue.then(() => fn(s))
    s.queue = run.catch(() => {})
    return run.finally(() => {
      s.active--
      // Nothing worth remembering (no running hash): forget the upload so stray ids cost no memory.
      if (s.active === 0 && s.hash === null) this.live.delete(this.key(name, uuid))
    })
  }

  isActive(name: string, uuid: string): boolean {
    return (this.live.get(this.key(name, uuid))?.active ?? 0) > 0
  }

  async start(name: string): Promise<UploadStatus> {
    const uuid = randomUUID()
    const dir = paths.uploadDir(this.layout, name, uuid)
    await makeDir(dir)
    const startedAt = new Date()
    await writeFile(paths.uploadData(this.layout, name, uuid), '')
    await writeFile(paths.uploadStartedAt(this.layout, name, uuid), startedAt.toISOString())
    const s = this.state(name, uuid)
    s.hash = createHash('sha256')
    s.hashed = 0
    return { uuid, size: 0, startedAt }
  }

  async status(name: string, uuid: string): Promise<UploadStatus | null> {
    if (!isUuid(uuid)) return null
    const st = await statOrNull(paths.uploadData(this.layout, name, uuid))
    if (!st || !st.isFile()) return null
    let startedAt = st.birthtime
    try {
      const text = await readFile(paths.uploadStartedAt(this.layout, name, uuid), 'utf8')
      const parsed = new Date(text.trim())
      if (!Number.isNaN(parsed.getTime())) startedAt = parsed
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
    return { uuid, size: st.size, startedAt }
  }

  private async sizeOrThrow(name: string, uuid: string): Promise<number> {
    const status = await this.status(name, uuid)
    if (!status) throw new UploadError('unknown', `upload ${uuid} is not known to ${name}`)
    return status.size
  }

  /**
   * Appends a request body. `range` (from Content-Range) must start where the upload ends, else
   * 'range'. Returns the new size. A body cut short (client gone) leaves the bytes that arrived.
   */
  append(name: string, uuid: string, body: Readable, range?: { start: number; end: number }): Promise<number> {
    return this.exclusive(name, uuid, async (s) => {
      const size = await this.sizeOrThrow(name, uuid)
      if (range && range.start !== size)
        throw new UploadError('range', `the chunk starts at ${range.start} but the upload holds ${size} bytes`)
      return this.write(name, uuid, s, size, body)
    })
  }

  private async write(name: string, uuid: string, s: LiveState, size: number, body: Readable): Promise<number> {
    if (s.hashed !== size) {
      // The running hash does not cover the file (restart, or an earlier broken write): commit will re-hash.
      s.hash = null
    }
    const hash = s.hash
    let written = 0
    const file = createWriteStream(paths.uploadData(this.layout, name, uuid), { flags: 'a', highWaterMark: 1 << 20 })
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash?.update(chunk)
            written += chunk.length
            yield chunk
          }
        },
        file
      )
    } catch (err) {
      s.hash = null
      s.hashed = -1
      throw err
    }
    if (s.hash) s.hashed = size + written
    return size + written
  }

  /**
   * Finishes an upload: appends the last chunk if any, checks the digest (and `expectedSize` when
   * given), moves the data into the blob store and links it into the repository. A wrong digest
   * deletes the upload: nothing of it is kept.
   */
  commit(
    name: string,
    uuid: string,
    digest: Digest,
    last?: { body: Readable; range?: { start: number; end: number } }
  ): Promise<number> {
    return this.exclusive(name, uuid, async (s) => {
      let size = await this.sizeOrThrow(name, uuid)
      if (last) {
        if (last.range && last.range.start !== size)
          throw new UploadError('range', `the chunk starts at ${last.range.start} but the upload holds ${size} bytes`)
        size = await this.write(name, uuid, s, size, last.body)
      }
      const data = paths.uploadData(this.layout, name, uuid)
      const actual =
        digest.algorithm === 'sha256' && s.hash && s.hashed === size
          ? s.hash.copy().digest('hex')
          : await hashFile(data, digest.algorithm)
      if (actual !== digest.hex) {
        await this.remove(name, uuid)
        throw new UploadError('digest', `the uploaded content has digest ${digest.algorithm}:${actual}, not ${digest.value}`)
      }
      await syncFile(data)
      await this.blobs.adopt(data, digest)
      await this.repos.linkLayer(name, digest)
      await this.remove(name, uuid)
      return size
    })
  }

  cancel(name: string, uuid: string): Promise<void> {
    return this.exclusive(name, uuid, async () => {
      await this.sizeOrThrow(name, uuid)
      await this.remove(name, uuid)
    })
  }

  private async remove(name: string, uuid: string): Promise<void> {
    await removeTree(paths.uploadDir(this.layout, name, uuid))
    const key = this.key(name, uuid)
    const s = this.live.get(key)
    if (s && s.active <= 1) this.live.delete(key)
  }

  /**
   * Deletes uploads nobody has touched for `maxAgeMs` (by the data file's modification time, so an
   * old but still moving upload stays) and that no request is using now, in every repository.
   * Returns how many went.
   */
  async purgeAbandoned(maxAgeMs: number, now = Date.now()): Promise<number> {
    let removed = 0
    for (const name of await findUploadingRepositories(this.layout.repositories)) {
      for (const uuid of await listDir(paths.uploadsDir(this.layout, name))) {
        if (this.isActive(name, uuid)) continue
        const st = (await statOrNull(paths.uploadData(this.layout, name, uuid))) ?? (await statOrNull(paths.uploadDir(this.layout, name, uuid)))
        if (!st || now - st.mtimeMs < maxAgeMs) continue
        await removeTree(paths.uploadDir(this.layout, name, uuid))
        this.live.delete(this.key(name, uuid))
        removed++
      }
    }
    return removed
  }

  /** Every upload on disk: count, bytes, and how many are abandoned (untouched for `maxAgeMs`, not in use). */
  async survey(maxAgeMs: number, now = Date.now()): Promise<{ count: number; bytes: number; abandoned: number }> {
    let count = 0
    let bytes = 0
    let abandoned = 0
    for (const name of await findUploadingRepositories(this.layout.repositories)) {
      for (const uuid of await listDir(paths.uploadsDir(this.layout, name))) {
        const st = await statOrNull(paths.uploadData(this.layout, name, uuid))
        count++
        if (!st) continue
        bytes += st.size
        if (now - st.mtimeMs >= maxAgeMs && !this.isActive(name, uuid)) abandoned++
      }
    }
    return { count, bytes, abandoned }
  }
}

/** Upload ids are ours (UUIDs) or Distribution's (also UUIDs); anything else never touches the disk. */
export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)
}
