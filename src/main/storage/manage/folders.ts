import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { open, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { DataFolder } from '@shared/model/storage'
import { BerthError } from '@shared/errors'
import { listEntries, makeDir, statOrNull } from '../core/files'
import { blobDigestOfRelative, dataDirOf, layoutOf, paths } from '../core/paths'
import { findRepositories } from '../core/repository-walk'
import { folderBytes, type ProgressFn } from './scan'

// The data folder as a thing a person can look at, adopt and move.

/** A path given as the registry tree itself (`…/docker/registry/v2`) means the folder above it. */
export function normalizeDataDir(dir: string): string {
  return dataDirOf(resolve(dir))
}

export async function inspectFolder(dir: string): Promise<DataFolder & { exists: boolean; empty: boolean }> {
  const dataDir = normalizeDataDir(dir)
  const st = await statOrNull(dataDir)
  if (st && !st.isDirectory()) throw new BerthError('INVALID_INPUT', `${dataDir} is a file, not a folder.`)
  const layout = layoutOf(dataDir)
  const isRegistry = Boolean((await statOrNull(layout.v2))?.isDirectory())
  const entries = st ? await readdir(dataDir) : []
  const repositories = isRegistry ? (await findRepositories(layout.repositories)).length : 0
  const { bytes } = st ? await folderBytes(dataDir) : { bytes: 0 }
  return { dataDir, isRegistry, repositories, bytes, exists: Boolean(st), empty: entries.length === 0 }
}

/** Refuses a folder Berth should not take over: one holding other things than registry data. */
export async function checkAdoptable(dir: string): Promise<DataFolder> {
  const info = await inspectFolder(dir)
  if (info.exists && !info.isRegistry && !info.empty)
    throw new BerthError(
      'INVALID_INPUT',
      `${info.dataDir} holds other files and no registry data (no docker/registry/v2 inside). Choose an empty folder, or a registry:2 volume.`,
      { dataDir: info.dataDir }
    )
  const { exists: _e, empty: _m, ...folder } = info
  return folder
}

/**
 * Copies the data folder `from` to `to`, verified: every blob is hashed while it is copied and must
 * match its digest, every other file its length. The copy goes to a hidden `movingCopy` beside it and is
 * renamed to `to` only when complete, so an interrupted move (even a kill) leaves the original
 * untouched and no half folder under the name the user chose. The original is never modified.
 */
export async function copyDataFolder(from: string, to: string, onProgress?: ProgressFn): Promise<{ bytes: number; files: number }> {
  const source = normalizeDataDir(from)
  const target = resolve(to)
  if (target === source || target.startsWith(source + sep))
    throw new BerthError('INVALID_INPUT', `${target} is inside the current data folder; choose a folder elsewhere.`)
  if (source.startsWith(target + sep)) throw new BerthError('INVALID_INPUT', `${target} contains the current data folder; choose another place.`)
  const existing = await statOrNull(target)
  if (existing && (!existing.isDirectory() || (await readdir(target)).length > 0))
    throw new BerthError('CONFLICT', `${target} already exists and is not empty; choose a new or empty folder.`, { target })
  const parent = dirname(target)
  try {
    await makeDir(parent)
  } catch (err) {
    throw new BerthError('FOLDER_NOT_WRITABLE', `Cannot create ${parent}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`)
  }

  const total = await folderBytes(source)
  const copy = paths.movingCopy(target, randomUUID().slice(0, 8))
  let copied = 0
  let files = 0
  try {
    await copyTree(source, copy, async (src, dst, size) => {
      const rel = relative(source, src).split(sep)
      // A blob's data file: the digest says what the bytes must hash to.
      const blob = blobDigestOfRelative(rel)
      const hash = blob ? createHash(blob.algorithm === 'sha512' ? 'sha512' : 'sha256') : null
      let length = 0
      await pipeline(
        createReadStream(src, { highWaterMark: 1 << 20 }),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash?.update(chunk)
            length += chunk.length
            copied += chunk.length
            onProgress?.({ phase: 'copying', done: copied, total: total.bytes, item: rel.join('/') })
            yield chunk
          }
        },
        createWriteStream(dst)
      )
      const handle = await open(dst, 'r')
      await handle.sync().finally(() => handle.close())
      if (length !== size) throw new BerthError('INTERNAL', `${src} changed while it was copied; try again with the registry stopped.`)
      if (hash && blob && hash.digest('hex') !== blob.hex)
        throw new BerthError('INTERNAL', `The blob ${blob.algorithm}:${blob.hex} does not match its digest (corrupt in the original?); run verify. Nothing was moved.`)
      files++
    })
    if (existing) await rm(target, { recursive: true, force: true })
    await rename(copy, target)
  } catch (err) {
    await rm(copy, { recursive: true, force: true }).catch(() => {})
    throw err
  }
  onProgress?.({ phase: 'copied', done: copied, total: total.bytes })
  return { bytes: copied, files }
}

async function copyTree(src: string, dst: string, copyFile: (src: string, dst: string, size: number) => Promise<void>): Promise<void> {
  await makeDir(dst)
  const entries = await listEntries(src)
  for (const e of entries) {
    const s = join(src, e.name)
    const d = join(dst, e.name)
    if (e.isDirectory()) await copyTree(s, d, copyFile)
    else if (e.isFile()) await copyFile(s, d, (await stat(s)).size)
  }
}
