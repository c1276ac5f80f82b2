import { BerthError } from '@shared/errors'
import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../index'
import type { Inspector, ManifestInfo } from '../manage/inspect'
import { blobEntryName } from './export-oci'
import type { SelectedImage } from './resolve-images'
import { byteReporter, type ProgressListener } from './progress'
import { writeTarFile, type TarWriter } from './tar-writer'

const IMAGE_CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'])

export interface DockerImage extends SelectedImage {
  /** The single-platform manifest written (for an index, the child chosen). */
  manifest: ManifestInfo
  /** Set when `digest` named an index: which child went into the archive, for people. */
  chosen?: string
}

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

const AMD64: Platform = { os: 'linux', architecture: 'amd64' }

/** For an index, the child of `platform` (its variant when several), or the only runnable one; docker load takes one platform per name. */
async function singlePlatform(inspector: Inspector, image: SelectedImage, platform: Platform): Promise<DockerImage> {
  const name = image.tag ? `${image.repository}:${image.tag}` : `${image.repository}@${image.digest.value}`
  const info = await inspector.manifest(image.digest)
  if (!info) throw new BerthError('NOT_FOUND', `The manifest of ${name} is missing; push the image again before exporting.`)
  if (info.kind === 'image') return { ...image, manifest: info }
  if (info.kind !== 'index') throw new BerthError('INVALID_INPUT', `${name} is an artifact, not an image; export it in the OCI format instead.`)
  const runnable = info.children.filter((c) => !c.attestation)
  const matching = runnable.filter((c) => c.platform?.os === platform.os && c.platform.architecture === platform.architecture)
  const child = matching.find((c) => platform.variant && c.platform?.variant === platform.variant) ?? matching[0] ?? (runnable.length === 1 ? runnable[0] : undefined)
  if (!child) {
    const platforms = runnable.map((c) => (c.platform ? `${c.platform.os}/${c.platform.architecture}${c.platform.variant ? `/${c.platform.variant}` : ''}` : c.digest)).join(', ')
    const wanted = `${platform.os}/${platform.architecture}`
    throw new BerthError('INVALID_INPUT', `${name} is a multi-platform index without ${wanted} (${platforms}); export one platform by digest or use the OCI format, which keeps them all.`)
  }
  const childInfo = await inspector.manifest(parseDigest(child.digest) as Digest)
  if (!childInfo || childInfo.kind !== 'image') throw new BerthError('NOT_FOUND', `The ${child.digest} image of ${name} is missing; push the image again before exporting.`)
  const taken = child.platform ? `${child.platform.os}/${child.platform.architecture}` : 'its only image'
  return { ...image, manifest: childInfo, chosen: `${taken} (${child.digest})` }
}

export interface DockerArchivePlan {
  images: DockerImage[]
  /** manifest.json: one entry per image, carrying every tag that names it. */
  manifest: { Config: string; RepoTags: string[]; Layers: string[] }[]
  repositories: Record<string, Record<string, string>>
  /** Every blob to write, by digest, with its size. */
  blobs: Map<string, number>
}

export interface PlanOptions {
  /** The platform to take from a multi-platform index (default linux/amd64). */
  platform?: Platform
  /** The name the archive gives an image (default `<repository>:<tag>`); null: none (by digest). */
  repoTag?: (image: SelectedImage) => string | null
}

/**
 * What a `docker save` archive of `images` holds, checked against the store: one platform per image,
 * configs that are images, no zstd or foreign layers, every blob present. Throws INVALID_INPUT or NOT_FOUND.
 */
export async function planDockerArchive(storage: Storage, images: SelectedImage[], options: PlanOptions = {}, onProgress?: ProgressListener): Promise<DockerArchivePlan> {
  const inspector = storage.inspector
  const chosen: DockerImage[] = []
  for (const image of images) {
    const one = await singlePlatform(inspector, image, options.platform ?? AMD64)
    if (one.chosen) onProgress?.({ phase: 'select', done: chosen.length, total: images.length, item: `${image.repository}:${image.tag ?? ''} → ${one.chosen}` })
    chosen.push(one)
  }

  const entries = new Map<string, { Config: string; RepoTags: string[]; Layers: string[] }>()
  const repositories: Record<string, Record<string, string>> = {}
  const blobs = new Map<string, number>()
  for (const image of chosen) {
    const { config, layers } = image.manifest
    if (!config || !IMAGE_CONFIG_TYPES.has(config.mediaType))
      throw new BerthError('INVALID_INPUT', `${image.repository} holds an artifact (${config?.mediaType ?? 'no config'}), not an image; use the OCI format.`)
    const zstd = layers.find((l) => l.mediaType.includes('zstd'))
    if (zstd) throw new BerthError('INVALID_INPUT', `${image.repository} has zstd-compressed layers, which docker load cannot read; use the OCI format.`)
    if (layers.some((l) => Array.isArray(l.urls) && l.urls.length > 0))
      throw new BerthError('INVALID_INPUT', `${image.repository} has foreign layers stored elsewhere; use the OCI format.`)
    const key = image.manifest.digest
    let entry = entries.get(key)
    if (!entry) {
      entry = { Config: blobEntryName(config.digest), RepoTags: [], Layers: layers.map((l) => blobEntryName(l.digest)) }
      entries.set(key, entry)
    }
    const name = options.repoTag ? options.repoTag(image) : image.tag ? `${image.repository}:${image.tag}` : null
    if (name) {
      if (!entry.RepoTags.includes(name)) entry.RepoTags.push(name)
      // Read only by pre-1.10 engines; the top layer's id is what they expect there.
      const top = layers.at(-1)
      const colon = name.lastIndexOf(':')
      if (top) (repositories[name.slice(0, colon)] ??= {})[name.slice(colon + 1)] = top.digest.split(':')[1]
    }
    for (const d of [config, ...layers]) {
      const digest = parseDigest(d.digest)
      const size = typeof digest === 'object' ? await storage.blobs.size(digest) : null
      if (size === null) throw new BerthError('NOT_FOUND', `The blob ${d.digest} of ${image.repository} is missing from the data folder; push the image again before exporting.`)
      blobs.set(d.digest, size)
    }
  }
  return { images: chosen, manifest: [...entries.values()], repositories, blobs }
}

/** Adds a planned archive's entries to `tar`; `onBytes` sees each chunk of each blob. */
export async function fillDockerArchive(tar: TarWriter, storage: Storage, plan: DockerArchivePlan, onBytes?: (digest: string, n: number) => void): Promise<void> {
  await tar.addBuffer('manifest.json', Buffer.from(JSON.stringify(plan.manifest)))
  await tar.addBuffer('repositories', Buffer.from(JSON.stringify(plan.repositories)))
  for (const [digest, size] of plan.blobs)
    await tar.addFile(blobEntryName(digest), storage.blobs.dataPath(parseDigest(digest) as Digest), size, onBytes && ((n) => onBytes(digest, n)))
}

/**
 * The `docker save` layout: `manifest.json` (Config, RepoTags, Layers per image), `repositories`, and
 * the config and layer blobs under `blobs/sha256/` (Docker 25's names; older engines follow the paths
 * in manifest.json). Layers go as stored: docker load decompresses gzip layers itself.
 */
export async function writeDockerArchive(
  storage: Storage,
  images: SelectedImage[],
  file: string,
  onProgress?: ProgressListener
): Promise<{ bytes: number; images: DockerImage[] }> {
  const plan = await planDockerArchive(storage, images, {}, onProgress)
  const total = [...plan.blobs.values()].reduce((a, b) => a + b, 0)
  const progress = byteReporter(onProgress, 'write', total)
  let current = ''
  const bytes = await writeTarFile(file, async (tar) => {
    await fillDockerArchive(tar, storage, plan, (digest, n) => {
      if (digest !== current) progress.report((current = digest))
      progress.add(n, digest)
    })
    progress.report()
  })
  return { bytes, images: plan.images }
}
