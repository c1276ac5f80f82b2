import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { makeDir, mkdirWithin } from '../storage/core/files'

/*
 * An append-only log file that rotates by size: `access.log` → `access.log.1` → … → `.<keep>`,
 * the oldest dropped. Lines queue while a write is under way and go out together, so a burst of
 * requests costs a few writes, and a slow disk never holds up a response.
 */

export interface RotatingFileOptions {
  maxBytes?: number
  keep?: number
  /**
   * The log's folder is created only inside this one (the data folder): a log line must never bring
   * back, empty, a data folder that was moved away while serving.
   */
  within?: () => string
}

export class RotatingFile {
  private handle: FileHandle | null = null
  private openDir = ''
  private size = 0
  private pending: string[] = []
  private writing: Promise<void> | null = null
  private readonly maxBytes: number
  private readonly keep: number
  private readonly within?: () => string

  constructor(
    /** The folder, asked again before each write (the data folder can move). */
    private readonly dir: () => string,
    private readonly name = 'access.log',
    options: RotatingFileOptions = {}
  ) {
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024
    this.keep = options.keep ?? 5
    this.within = options.within
  }

  append(line: string): void {
    this.pending.push(line.endsWith('\n') ? line : line + '\n')
    if (!this.writing) this.writing = this.drain().finally(() => (this.writing = null))
  }

  /** Resolves once everything appended so far is written. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing
  }

  async close(): Promise<void> {
    await this.flush()
    await this.handle?.close()
    this.handle = null
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const chunk = this.pending.join('')
      this.pending = []
      try {
        await this.write(chunk)
      } catch {
        // A log that cannot be written must not break the registry; the ring in memory still has it.
        await this.handle?.close().catch(() => {})
        this.handle = null
      }
    }
  }

  private async write(chunk: string): Promise<void> {
    const dir = this.dir()
    if (dir !== this.openDir && this.handle) {
      await this.handle.close()
      this.handle = null
    }
    const bytes = Buffer.byteLength(chunk)
    if (this.handle && this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate(dir)
    if (!this.handle) {
      if (this.within) await mkdirWithin(this.within(), dir)
      else await makeDir(dir)
      const path = join(dir, this.name)
      this.size = (await stat(path).catch(() => null))?.size ?? 0
      if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate(dir)
      this.handle = await open(path, 'a', 0o600)
      this.openDir = dir
    }
    await this.handle.write(chunk)
    this.size += bytes
  }

  private async rotate(dir: string): Promise<void> {
    await this.handle?.close()
    this.handle = null
    const path = (n: number) => join(dir, n === 0 ? this.name : `${this.name}.${n}`)
    await rm(path(this.keep), { force: true })
    for (let n = this.keep - 1; n >= 0; n--) await rename(path(n), path(n + 1)).catch(() => {})
    this.size = 0
  }
}
