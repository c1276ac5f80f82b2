import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { BerthError } from '@shared/errors'
import { parseDigest, type Digest } from '@shared/reference'
import { statOrNull } from '../core/files'
import { ManifestError, parseManifest } from '../core/manifest-json'
import { CONTAINERD_NAME, REF_NAME } from './export-oci'
import { CONVERTED_FROM } from './oci-compat'
import type { ImportTarget } from './place'
import { byteReporter, type ProgressListener } from './progress'
import { JSON_MAX_BYTES } from './read-tar'
import { parseImageName } from './references'
import type { ImportArea } from './import-area'

export interface IndexEntry {
  mediaType?: string
  digest: Digest
  size: number
  annotations: Record<string, string>
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The entries of an image layout's `index.json`; INVALID_INPUT when it is not one. */
export function parseLayoutIndex(bytes: Buffer, where: string): IndexEntry[] {
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new BerthError('INVALID_INPUT', `${where} is not valid JSON; the image layout is damaged.`)
  }
  if (!isObject(json) || !Array.isArray(json.manifests))
    throw new BerthError('INVALID_INPUT', `${where} has no "manifests" list; it is not an OCI image layout index.`)
  return json.manifests.map((m, i) => {
    const digest = isObject(m) && typeof m.digest === 'string' ? parseDigest(m.digest) : 'malformed'
    if (!isObject(m) || typeof digest !== 'object' || typeof m.size !== 'number')
      throw new BerthError('INVALID_INPUT', `Entry ${i + 1} of ${where} is not a valid descriptor (digest and size); the image layout is damaged.`)
    const annotations: Record<string, string> = {}
    if (isObject(m.annotations)) for (const [k, v] of Object.entries(m.annotations)) if (typeof v === 'string') annotations[k] = v
    return { mediaType: typeof m.mediaType === 'string' ? m.mediaType : undefined, digest, size: m.size, annotations }
  })
}

/** Where an archive entry goes; `repository` null when the archive names none and none was given. */
export interface EntryName {
  repository: string | null
  tag: string | null
}

/**
 * Where each index.json entry goes. The full name comes from `io.containerd.image.name`, or from
 * `org.opencontainers.image.ref.name` when that is a full reference; a bare ref.name is a tag and
 * needs `repository`. `repository`, when given, replaces every repository (tags kept, `latest` if none).
 * Throws INVALID_INPUT for a name that is not one.
 */
export function ociNames(entries: IndexEntry[], repository: string | undefined): EntryName[] {
  return entries.map((e, i) => {
    const full = e.annotations[CONTAINERD_NAME]
    const ref = e.annotations[REF_NAME]
    let repo: string | null = null
    let tag: string | null = null
    if (full || (ref && /[/:@]/.test(ref))) {
      const name = parseImageName(full ?? ref)
      if (typeof name === 'string') throw new BerthError('INVALID_INPUT', `Entry ${i + 1} of index.json: ${name}; import it with --repo to name it yourself.`, { needs: 'repository' })
      repo = name.repository
      tag = name.tag ?? (ref && !/[/:@]/.test(ref) ? ref : null)
      // A name with only a digest stays untagged; a bare repository means latest.
      if (tag === null && name.digest === null) tag = 'latest'
    } else if (ref) {
      const name = parseImageName(`x:${ref}`)
      if (typeof name === 'string') throw new BerthError('INVALID_INPUT', `Entry ${i + 1} of index.json has the name "${ref}", which is not a valid tag.`)
      tag = ref
    }
    if (repository) {
      repo = repository
      if (tag === null) tag = 'latest'
    }
    return { repository: repo, tag }
  })
}

/** ociNames, each with its digest, where every entry must have a repository (INVALID_INPUT otherwise). */
export function ociTargets(entries: IndexEntry[], repository: string | undefined): ImportTarget[] {
  return ociNames(entries, repository).map(({ repository: repo, tag }, i) => {
    const e = entries[i]
    if (!repo) {
      const what = tag ? `only the tag "${tag}"` : 'no name'
      throw new BerthError('INVALID_INPUT', `The image layout gives entry ${i + 1} ${what} and no repository; import it with --repo <name>.`, { needs: 'repository' })
    }
    const original = parseDigest(e.annotations[CONVERTED_FROM] ?? '')
    return { repository: repo, tag, digest: e.digest, ...(typeof original === 'object' ? { convertedFrom: original } : {}) }
  })
}

/** What the manifest at `digest` references, for walking an image layout folder. */
function referencesOf(bytes: Buffer, mediaType: string | undefined, where: string): Digest[] {
  try {
    const parsed = parseManifest(bytes, mediaType)
    return [...parsed.manifests, ...parsed.blobs]
  } catch (err) {
    if (err instanceof ManifestError) throw new BerthError('INVALID_INPUT', `${where} is not a usable manifest (${err.message}).`)
    throw err
  }
}

/**
 * Stages what the index of an image layout folder reaches, walking manifests from `index.json`:
 * each blob is read once from `blobs/<alg>/<hex>` and its digest verified on the way in.
 */
export async function readLayoutFolder(folder: string, area: ImportArea, onProgress?: ProgressListener): Promise<IndexEntry[]> {
  const indexPath = join(folder, 'index.json')
  const layoutFile = await statOrNull(join(folder, 'oci-layout'))
  const indexFile = await statOrNull(indexPath)
  if (!indexFile?.isFile() || !layoutFile?.isFile())
    throw new BerthError('INVALID_INPUT', `The folder ${folder} is not an OCI image layout (it needs oci-layout and index.json); give a layout folder or a .tar archive.`)
  if (indexFile.size > JSON_MAX_BYTES) throw new BerthError('INVALID_INPUT', `${indexPath} is too large to be an image index.`)
  const entries = parseLayoutIndex(await readFile(indexPath), indexPath)

  const blobPath = (d: Digest) => join(folder, 'blobs', d.algorithm, d.hex)
  const progress = byteReporter(onProgress, 'read', null)
  const seen = new Set<string>()
  const visit = async (digest: Digest, mediaType: string | undefined, isManifest: boolean, depth: number): Promise<void> => {
    if (seen.has(digest.value)) return
    seen.add(digest.value)
    const path = blobPath(digest)
    const st = await stat(path).catch(() => null)
    if (!st?.isFile()) throw new BerthError('INVALID_INPUT', `The image layout lacks the blob ${digest.value} (blobs/${digest.algorithm}/${digest.hex}); copy it again.`)
    const where = `blobs/${digest.algorithm}/${digest.hex}`
    progress.report(digest.value)
    if (!isManifest) {
      const staged = await area.add(createReadStream(path, { highWaterMark: 1 << 20 }), where, digest)
      progress.add(staged.size, digest.value)
      return
    }
    if (st.size > JSON_MAX_BYTES) throw new BerthError('INVALID_INPUT', `${where} is too large to be a manifest; the image layout is damaged.`)
    const bytes = await readFile(path)
    await area.add(Readable.from([bytes]), where, digest)
    progress.add(bytes.length, digest.value)
    if (depth > 4) return
    let json: { manifests?: unknown[] } = {}
    try {
      json = JSON.parse(bytes.toString('utf8')) as typeof json
    } catch {
      // parseManifest below says what is wrong
    }
    const children = new Set(
      (Array.isArray(json.manifests) ? json.manifests : []).map((m) => (isObject(m) && typeof m.digest === 'string' ? m.digest : ''))
    )
    for (const ref of referencesOf(bytes, mediaType, where)) await visit(ref, undefined, children.has(ref.value), depth + 1)
  }
  for (const e of entries) {
    await visit(e.digest, e.mediaType, true, 0)
    // The original of a manifest Berth rendered as OCI, when the folder holds it.
    const original = parseDigest(e.annotations[CONVERTED_FROM] ?? '')
    if (typeof original === 'object' && (await statOrNull(blobPath(original)))?.isFile()) await visit(original, undefined, true, 0)
  }
  progress.report()
  return entries
}
