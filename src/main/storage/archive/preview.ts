import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { z } from 'zod'
import { BerthError } from '@shared/errors'
import type { ImportPreview, ImportPreviewImage } from '@shared/model/storage'
import { parseDigest, repositoryProblem } from '@shared/reference'
import type { Storage } from '../index'
import { statOrNull } from '../core/files'
import { parseJson } from '../core/manifest-json'
import { parseSaveManifest, saveEntryNames } from './import-docker'
import { ociNames, parseLayoutIndex, type IndexEntry } from './import-oci'
import { CONVERTED_FROM } from './oci-compat'
import { JSON_MAX_BYTES, digestFromPath } from './read-tar'
import { scanTar, type ScannedTar } from './scan-tar'

// What an import would do, before it does it: the images an archive holds, where each goes and what
// the registry holds there now. Nothing is written (no import area, no upload); a tar is streamed
// and only its describing files and small files are kept (scan-tar.ts).

type Preview = z.infer<typeof ImportPreview>
type Image = z.infer<typeof ImportPreviewImage>
type Destination = Pick<Image, 'repository' | 'tag' | 'digest' | 'config' | 'platforms'> & { also?: string | null }

const blobPath = (digest: string) => {
  const d = parseDigest(digest)
  return typeof d === 'object' ? `blobs/${d.algorithm}/${d.hex}` : null
}

/** What a manifest's bytes say for a preview: an index's platforms, an image's config. */
function describe(bytes: Buffer | undefined): Pick<Image, 'config' | 'platforms'> {
  if (!bytes) return { config: null, platforms: [] }
  try {
    const json = parseJson(bytes)
    const config = (json.config as { digest?: unknown } | undefined)?.digest
    const platforms = (Array.isArray(json.manifests) ? json.manifests : [])
      .map((m: { platform?: { os?: unknown; architecture?: unknown; variant?: unknown } }) => m.platform)
      .filter((p): p is { os: string; architecture: string; variant?: string } => typeof p?.os === 'string' && typeof p.architecture === 'string' && p.os !== 'unknown')
      .map((p) => ({ os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) }))
    return { config: typeof config === 'string' ? config : null, platforms }
  } catch {
    return { config: null, platforms: [] }
  }
}

/** The manifests a preview reads of an index entry: the listed one, and the original Berth's OCI rendering of it stands for (oci-compat.ts). */
const manifestsOf = (e: IndexEntry) => [e.digest.value, ...(e.annotations[CONVERTED_FROM] ? [e.annotations[CONVERTED_FROM]] : [])]

function ociDestinations(entries: IndexEntry[], repository: string | undefined, manifest: (digest: string) => Buffer | undefined): Destination[] {
  return ociNames(entries, repository).map((name, i) => {
    const listed = entries[i].digest.value
    const original = entries[i].annotations[CONVERTED_FROM]
    // The import stores the original when the archive holds it: the digest people pinned.
    const digest = original && manifest(original) ? original : listed
    return { ...name, digest, ...describe(manifest(listed)), also: digest === listed ? null : listed }
  })
}

/** What the registry holds where `d` would go. */
async function against(storage: Storage, d: Destination): Promise<Image> {
  const { also, ...image } = d
  const out = (destination: Image['destination'], current: string | null = null): Image => ({ ...image, destination, current })
  if (!d.repository) return out('unnamed')
  if (!(await storage.repos.exists(d.repository))) return out('new-repository')
  if (!d.tag) return out('untagged')
  const current = await storage.repos.resolveTag(d.repository, d.tag)
  if (!current) return out('new-tag')
  // A docker save archive has no registry manifest: the same image is the same config.
  const same =
    current.value === d.digest || (also !== undefined && current.value === also) || (d.digest === null && d.config !== null && (await storage.inspector.manifest(current))?.config?.digest === d.config)
  return out(same ? 'unchanged' : 'retag', current.value)
}

async function folderBytes(folder: string): Promise<number> {
  let bytes = 0
  for (const algorithm of await readdir(join(folder, 'blobs')).catch(() => [])) {
    for (const name of await readdir(join(folder, 'blobs', algorithm)).catch(() => [])) bytes += (await stat(join(folder, 'blobs', algorithm, name)).catch(() => null))?.size ?? 0
  }
  return bytes
}

async function previewFolder(folder: string, repository: string | undefined): Promise<{ bytes: number; destinations: Destination[] }> {
  const indexPath = join(folder, 'index.json')
  const index = await statOrNull(indexPath)
  if (!index?.isFile() || !(await statOrNull(join(folder, 'oci-layout')))?.isFile())
    throw new BerthError('INVALID_INPUT', `The folder ${folder} is not an OCI image layout (it needs oci-layout and index.json); give a layout folder or a .tar archive.`)
  if (index.size > JSON_MAX_BYTES) throw new BerthError('INVALID_INPUT', `${indexPath} is too large to be an image index.`)
  const entries = parseLayoutIndex(await readFile(indexPath), indexPath)
  const manifests = new Map<string, Buffer>()
  for (const digest of entries.flatMap(manifestsOf)) {
    const relative = blobPath(digest)
    const size = relative ? ((await statOrNull(join(folder, relative)))?.size ?? Infinity) : Infinity
    if (size <= JSON_MAX_BYTES) manifests.set(digest, await readFile(join(folder, relative!)))
  }
  return { bytes: await folderBytes(folder), destinations: ociDestinations(entries, repository, (d) => manifests.get(d)) }
}

const smallBlob = (scan: ScannedTar, digest: string) => {
  const path = blobPath(digest)
  return path ? scan.small(path) : undefined
}

async function previewTar(file: string, repository: string | undefined): Promise<{ format: Preview['format']; destinations: Destination[] }> {
  // An index that comes first (Berth's own exports) ends the reading once its manifests went by.
  const scan = await scanTar(file, (s) => {
    const index = s.meta.get('index.json')
    if (!index) return false
    try {
      return parseLayoutIndex(index, 'index.json')
        .flatMap(manifestsOf)
        .every((d) => blobPath(d) === null || smallBlob(s, d) !== undefined)
    } catch {
      return true // the error is said below
    }
  })
  const index = scan.meta.get('index.json')
  // Docker 25+ writes both; the import keeps the OCI index (the registry manifests as they were).
  if (index) return { format: 'oci-archive', destinations: ociDestinations(parseLayoutIndex(index, 'index.json'), repository, (d) => smallBlob(scan, d)) }
  const saved = scan.meta.get('manifest.json')
  if (!saved)
    throw new BerthError('INVALID_INPUT', `${file} is a tar archive but neither an OCI image layout (index.json) nor a docker save archive (manifest.json); make it with berth export, docker save or skopeo copy.`)
  const destinations = parseSaveManifest(saved).flatMap((e) => {
    const config = digestFromPath(e.Config)?.value ?? null
    return saveEntryNames(e, repository).map((name) => ({ ...name, digest: null, config, platforms: [] }))
  })
  return { format: 'docker-archive', destinations }
}

/**
 * The images of the archive or layout folder `file`, each with where it would go (into `repository`
 * when given) and what the registry holds there now. Reads; never writes. Throws INVALID_INPUT for a
 * missing file (one sentence about it) or one that is not an image archive.
 */
export async function previewImport(storage: Storage, request: { file: string; repository?: string }): Promise<Preview> {
  const file = resolve(request.file)
  const problem = request.repository === undefined ? null : repositoryProblem(request.repository)
  if (problem) throw new BerthError('INVALID_INPUT', `"${request.repository}" is not a valid repository name: ${problem}`, { needs: 'repository' })
  const st = await statOrNull(file)
  if (!st) throw new BerthError('INVALID_INPUT', `There is no file or folder at ${file}; check the path.`, { file })
  const read = st.isDirectory() ? { format: 'oci-layout' as const, ...(await previewFolder(file, request.repository)) } : { bytes: st.size, ...(await previewTar(file, request.repository)) }
  if (read.destinations.length === 0) throw new BerthError('INVALID_INPUT', `${file} holds no images; there is nothing to import.`)
  const images: Image[] = []
  for (const d of read.destinations) images.push(await against(storage, d))
  return { file, format: read.format, bytes: read.bytes, images, needsRepository: images.some((i) => i.destination === 'unnamed') }
}
