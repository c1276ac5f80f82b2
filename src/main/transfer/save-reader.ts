import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { followLinks, JSON_MAX_BYTES, readSmall, tarFiles } from '../storage/archive/read-tar'
import { entryRole, LegacyLayerIds } from './save-layout'

// Reads a `docker save` stream front to back, once: describing files and small JSON blobs are kept
// (each ≤ 8 MiB), every layer is handed to `onLayer` as it streams by (whatever order the entries
// come in) together with its diff ID when the entry's name proves it. Which layer is which in the
// image is only known at the end, from manifest.json; the caller assembles the manifest then.

export interface LayerEntry {
  path: string
  /** The diff ID, when the entry's name proves it; null: the caller must hash it. */
  diffId: string | null
  /** The digest the entry is named by (`blobs/sha256/…`), when it is not a diff ID: a compressed layer from the containerd store. */
  namedDigest: string | null
  /** Size in the archive. */
  size: number
  /** The first bytes (gzip's 1f 8b, zstd's 28 b5 2f fd, or a tar header). */
  head: Buffer
  /** The bytes, head included; must be read to the end (or the whole read fails). */
  content: AsyncIterable<Buffer>
}

export interface SaveContents {
  meta: Map<string, Buffer>
  /** Small JSON entries by path: configs (`<hex>.json`), and in OCI layouts the config, manifests and indexes. */
  json: Map<string, Buffer>
  /** The path a (sym)link leads to, or the path itself. */
  resolve(path: string): string
}

/** The first chunk, and an iterable that yields it again followed by the rest. */
async function peek(entry: AsyncIterable<Buffer>): Promise<{ head: Buffer; content: AsyncIterable<Buffer> }> {
  const it = entry[Symbol.asyncIterator]()
  const first = await it.next()
  const head = first.done ? Buffer.alloc(0) : first.value
  async function* content() {
    if (head.length > 0) yield head
    for (;;) {
      const next = await it.next()
      if (next.done) return
      yield next.value
    }
  }
  return { head, content: content() }
}

export async function readSaveStream(
  stream: Readable,
  diffIds: readonly string[],
  onLayer: (layer: LayerEntry) => Promise<void>
): Promise<SaveContents> {
  const diffIdSet = new Set(diffIds)
  const legacy = new LegacyLayerIds(diffIds)
  const meta = new Map<string, Buffer>()
  const json = new Map<string, Buffer>()
  const links = new Map<string, string>()
  const extract = tar.extract()
  const feeding = pipeline(stream, extract)
  feeding.catch(() => {}) // surfaced through the entry iterator below

  try {
    for await (const { name, size, entry } of tarFiles(extract, links)) {
      const role = entryRole(name, diffIdSet)
      if (role.kind === 'meta') meta.set(name, await readSmall(entry, size, name))
      else if (role.kind === 'legacy-json') legacy.learn(role.dir, await readSmall(entry, size, name))
      else if (role.kind === 'config') json.set(name, await readSmall(entry, size, name))
      else if (role.kind === 'skip') entry.resume()
      else {
        const { head, content } = await peek(entry)
        if (role.kind === 'blob' && head[0] === 0x7b && size <= JSON_MAX_BYTES) {
          // `{`: a config, manifest or index of an OCI layout (a tar starts with a file name, never with `{`).
          const parts: Buffer[] = []
          for await (const chunk of content) parts.push(chunk)
          json.set(name, Buffer.concat(parts))
          continue
        }
        const diffId = role.kind === 'layer' ? (role.diffId ?? (role.legacyDir ? legacy.diffIdOf(role.legacyDir) : null)) : null
        await onLayer({ path: name, diffId, namedDigest: role.kind === 'blob' ? role.digest : null, size, head, content })
      }
    }
    await feeding
  } catch (err) {
    extract.destroy()
    await feeding.catch(() => {})
    throw err
  }

  return {
    meta,
    json,
    resolve: (path: string) => followLinks(links, path)
  }
}
