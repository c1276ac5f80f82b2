import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import tar from 'tar-stream'
import { BerthError } from '@shared/errors'
import { followLinks, isFormatError, META_FILES, readSmall, startsWithGzip, tarFiles } from './read-tar'

// Looking into a tar without importing it: the describing files (index.json, manifest.json) and the
// small files that may be manifests are kept in memory, everything else streams past unread, and
// nothing is written. Reading stops as soon as `enough` says the picture is complete.

/** Manifests are small (the spec advises at most 4 MiB; real ones are a few kB): larger files are content. */
const SMALL_FILE_MAX = 256 << 10
/** What may be held at once, whatever the archive: the preview of a huge archive stays small. */
const SMALL_FILES_BUDGET = 32 << 20

export interface ScannedTar {
  meta: Map<string, Buffer>
  /** A small file by archive path (links followed), or undefined when it was not kept. */
  small(path: string): Buffer | undefined
  /** Whether the whole archive was read (false: `enough` stopped it early). */
  complete: boolean
}

/**
 * Reads `file` (a tar, optionally gzipped) front to back until `enough` returns true after an entry.
 * Throws INVALID_INPUT for a file that is not a tar or ends early.
 */
export async function scanTar(file: string, enough: (scan: ScannedTar) => boolean): Promise<ScannedTar> {
  const meta = new Map<string, Buffer>()
  const kept = new Map<string, Buffer>()
  const links = new Map<string, string>()
  let budget = SMALL_FILES_BUDGET
  const scan: ScannedTar = { meta, small: (path) => kept.get(followLinks(links, path)), complete: false }

  const extract = tar.extract()
  const source = createReadStream(file, { highWaterMark: 1 << 20 })
  const feeding = (await startsWithGzip(file)) ? pipeline(source, createGunzip(), extract) : pipeline(source, extract)
  feeding.catch(() => {}) // surfaced through the entry iterator below
  try {
    for await (const { name, size, entry } of tarFiles(extract, links)) {
      if (META_FILES.has(name)) meta.set(name, await readSmall(entry, size, name))
      else if (size <= SMALL_FILE_MAX && size <= budget) {
        budget -= size
        kept.set(name, await readSmall(entry, size, name))
      } else entry.resume()
      if (enough(scan)) {
        source.destroy()
        extract.destroy()
        await feeding.catch(() => {})
        return scan
      }
    }
    await feeding
  } catch (err) {
    source.destroy()
    extract.destroy()
    await feeding.catch(() => {})
    if (err instanceof BerthError) throw err
    if (isFormatError(err)) throw new BerthError('INVALID_INPUT', `${file} is not a complete tar archive (${(err as Error).message}); check that the copy finished, or export it again.`)
    throw err
  }
  scan.complete = true
  return scan
}
