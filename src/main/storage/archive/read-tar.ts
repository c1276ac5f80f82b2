import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { posix } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import tar from 'tar-stream'
import { BerthError } from '@shared/errors'
import { parseDigest, type Digest } from '@shared/reference'
import { byteReporter, type ProgressListener } from './progress'
import type { AreaBlob, ImportArea } from './import-area'

/** JSON read into memory (manifest.json, index.json, manifests, configs) is capped; nothing real comes near. */
export const JSON_MAX_BYTES = 8 << 20

/** The files that describe an archive; everything else is content. */
export const META_FILES = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories'])

export interface ReadTar {
  /** The describing files by name, as bytes. */
  meta: Map<string, Buffer>
  /** Content by archive path (after links are followed). */
  blob(path: string): AreaBlob | undefined
}

/** `./a/b` and `/a/b` name the same entry as `a/b`. */
function normalize(name: string): string {
  return posix.normalize(name).replace(/^(\.\/)+/, '').replace(/^\/+/, '')
}

/** What an entry's path says its digest is: OCI `blobs/<alg>/<hex>`, or a docker save config `<hex>.json`. */
export function digestFromPath(path: string): Digest | null {
  let m = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(path)
  if (m) {
    const d = parseDigest(`${m[1]}:${m[2]}`)
    return typeof d === 'object' ? d : null
  }
  m = /^([a-f0-9]{64})\.json$/.exec(path)
  return m ? (parseDigest(`sha256:${m[1]}`) as Digest) : null
}

export type TarEntry = AsyncIterable<Buffer> & { resume(): unknown }

/**
 * The regular files of a tar as they stream by, named without `./` or `/`. Links are recorded in
 * `links` (name → target) and skipped, as are folders and other special entries.
 */
export async function* tarFiles(extract: tar.Extract, links: Map<string, string>): AsyncGenerator<{ name: string; size: number; entry: TarEntry }> {
  for await (const source of extract) {
    const { header } = source
    // streamx streams are async-iterable at run time; their typings only say Readable.
    const entry = source as unknown as TarEntry
    const name = normalize(header.name)
    const type = header.type ?? 'file'
    if (type === 'symlink' || type === 'link') {
      // docker save links a layer shared by two images (Podman: every layer.tar); a symlink is relative to its own folder.
      const target = type === 'symlink' ? posix.join(posix.dirname(name), header.linkname ?? '') : (header.linkname ?? '')
      links.set(name, normalize(target))
      entry.resume()
      continue
    }
    if (type !== 'file' && type !== 'contiguous-file') {
      entry.resume()
      continue
    }
    yield { name, size: header.size ?? 0, entry }
  }
}

/** A path with its links followed (at most 8 hops). */
export function followLinks(links: Map<string, string>, path: string): string {
  let p = normalize(path)
  for (let hops = 0; hops < 8 && links.has(p); hops++) p = links.get(p)!
  return p
}

export async function readSmall(stream: AsyncIterable<Buffer> & { resume(): unknown }, size: number, where: string): Promise<Buffer> {
  if (size > JSON_MAX_BYTES) {
    stream.resume()
    throw new BerthError('INVALID_INPUT', `${where} is ${size} bytes, far more than any image description needs; the archive is not a valid image archive.`)
  }
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function startsWithGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(2)
    const { bytesRead } = await handle.read(head, 0, 2, 0)
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    await handle.close()
  }
}

/** Errors of the tar (or gzip) parser: the file, not the machine, is at fault. */
export function isFormatError(err: unknown): boolean {
  const message = (err as Error | undefined)?.message ?? ''
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? ''
  return /tar header|Invalid header|Unexpected end of data|Header exceeds|Premature close/i.test(message) || code.startsWith('Z_')
}

/**
 * Reads a tar archive (optionally gzip-compressed) once, front to back. Describing files are kept in
 * memory (each at most 8 MiB); every other file is staged as a blob as it streams by, whatever order
 * the entries come in. Throws INVALID_INPUT for a file that is not a tar or ends early.
 */
export async function readTar(file: string, size: number, area: ImportArea, onProgress?: ProgressListener): Promise<ReadTar> {
  const meta = new Map<string, Buffer>()
  const byPath = new Map<string, AreaBlob>()
  const links = new Map<string, string>()
  const progress = byteReporter(onProgress, 'read', size)
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      progress.add(chunk.length)
      cb(null, chunk)
    }
  })
  const extract = tar.extract()
  const source = createReadStream(file, { highWaterMark: 1 << 20 })
  const feeding = (await startsWithGzip(file)) ? pipeline(source, count, createGunzip(), extract) : pipeline(source, count, extract)
  feeding.catch(() => {}) // surfaced through the entry iterator below

  try {
    for await (const { name, size, entry } of tarFiles(extract, links)) {
      if (META_FILES.has(name)) {
        meta.set(name, await readSmall(entry, size, name))
        continue
      }
      // Pre-1.10 per-layer metadata of docker save; the image's config says it all.
      if (/^[a-f0-9]{64}\/(json|VERSION)$/.test(name)) {
        entry.resume()
        continue
      }
      progress.report(name)
      byPath.set(name, await area.add(entry, name, digestFromPath(name) ?? undefined))
    }
    await feeding
  } catch (err) {
    extract.destroy()
    await feeding.catch(() => {})
    if (err instanceof BerthError) throw err
    if (isFormatError(err))
      throw new BerthError('INVALID_INPUT', `${file} is not a complete tar archive (${(err as Error).message}); check that the copy finished, or export it again.`)
    throw err
  }
  progress.report()

  return {
    meta,
    blob(path: string) {
      return byPath.get(followLinks(links, path))
    }
  }
}
