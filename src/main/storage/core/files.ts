import { randomUUID } from 'node:crypto'
import type { Dirent } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { parseDigest, type Digest } from '@shared/reference'

// Small filesystem helpers with the error handling every store needs.

export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * Creates `dir` and the folders leading to it, but only below `anchor`, which must exist: a write into
 * a data folder that was moved away or unmounted fails (ENOENT) instead of quietly growing an empty
 * registry tree where the folder used to be.
 */
export async function mkdirWithin(anchor: string, dir: string): Promise<void> {
  if (dir !== anchor && !dir.startsWith(anchor + sep)) throw new Error(`${dir} is not inside ${anchor}`)
  try {
    await mkdir(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    if (code !== 'ENOENT' || dir === anchor) throw err
    await mkdirWithin(anchor, dirname(dir))
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again
    })
  }
}

/**
 * `mkdir -p` that always ends. Node's own `mkdir(dir, { recursive: true })` spins at 100% CPU forever
 * when a folder answers ENOENT while its parent answers EEXIST (`/proc/nope`: /proc exists, nothing
 * can be made in it). Here each missing folder is climbed past once and created once, so a folder that
 * cannot be made fails with the error of the first one that could not.
 */
export async function makeDir(path: string, mode?: number): Promise<void> {
  const missing: string[] = []
  let dir = resolve(path)
  for (;;) {
    try {
      await mkdir(dir, { mode })
      break
    } catch (err) {
      if (await existingFolder(dir, err)) break
      const parent = dirname(dir)
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw err
      missing.push(dir)
      dir = parent
    }
  }
  // `dir` exists now: make the ones below it, each once, from the top down.
  for (const below of missing.reverse()) {
    try {
      await mkdir(below, { mode })
    } catch (err) {
      if (!(await existingFolder(below, err))) throw err
    }
  }
}

/** EEXIST from mkdir: fine for a folder (someone made it first), an ENOTDIR error for a file. */
async function existingFolder(dir: string, err: unknown): Promise<boolean> {
  if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false
  if ((await stat(dir)).isDirectory()) return true
  throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir })
}

export interface AtomicWriteOptions {
  mode?: number
  /** Create missing folders only below this one (see mkdirWithin); without it, any missing parent is made. */
  within?: string
}

/**
 * Writes `data` to a temporary sibling, fsyncs it and renames it over `path`: readers see old or new,
 * never half. On any failure (a full disk) the temporary file is removed again.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  if (options.within) await mkdirWithin(options.within, dirname(path))
  else await makeDir(dirname(path))
  const tmp = `${path}.${randomUUID()}.tmp`
  // A secret is created with its final mode: it is never readable by others, not even for a moment.
  const handle = await open(tmp, 'w', options.mode ?? 0o666)
  try {
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
}

/** Reads a link file (`sha256:<hex>`); missing or garbled links read as absent. */
export async function readLink(path: string): Promise<Digest | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if (isNotFound(err)) return null
    throw err
  }
  const digest = parseDigest(text.trim())
  return typeof digest === 'object' ? digest : null
}

export async function statOrNull(path: string) {
  try {
    return await stat(path)
  } catch (err) {
    if (isNotFound(err)) return null
    throw err
  }
}

export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true })
}

/** fsync an existing file (used before a finished upload is renamed into the blob store). */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** A folder's entry names; a folder that is not there has none. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if (isNotFound(err)) return []
    throw err
  }
}

/** A folder's entries with their types (one readdir, no stat each); a folder that is not there has none. */
export async function listEntries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (err) {
    if (isNotFound(err)) return []
    throw err
  }
}

/** Promise.all with at most `limit` running at once (keeps file handles bounded on big registries). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  async function worker() {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
