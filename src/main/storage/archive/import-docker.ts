import { BerthError } from '@shared/errors'
import type { Storage } from '../index'
import { digestOf } from '../core/manifests'
import { MediaType } from '../core/manifest-json'
import type { ImportTarget } from './place'
import { JSON_MAX_BYTES, type ReadTar } from './read-tar'
import { parseImageName } from './references'

export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json'
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar'
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

export interface SaveEntry {
  Config: string
  RepoTags: string[]
  Layers: string[]
}

export function parseSaveManifest(bytes: Buffer): SaveEntry[] {
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new BerthError('INVALID_INPUT', 'The manifest.json of the docker archive is not valid JSON; save the image again.')
  }
  if (!Array.isArray(json) || json.length === 0)
    throw new BerthError('INVALID_INPUT', 'The manifest.json of the docker archive lists no images; save the image again.')
  return json.map((e: unknown, i) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>
    const layers = Array.isArray(o.Layers) && o.Layers.every((l) => typeof l === 'string') ? (o.Layers as string[]) : null
    if (typeof o.Config !== 'string' || !layers)
      throw new BerthError('INVALID_INPUT', `Image ${i + 1} of the docker archive's manifest.json lacks Config or Layers; save the image again.`)
    const tags = Array.isArray(o.RepoTags) ? o.RepoTags.filter((t): t is string => typeof t === 'string') : []
    return { Config: o.Config, RepoTags: tags, Layers: layers }
  })
}

/**
 * Where an image of a `docker save` archive goes: each of its RepoTags (`latest` when untagged), all
 * into `repository` when given; `repository` null for an image saved by id with none given.
 */
export function saveEntryNames(e: SaveEntry, repository: string | undefined): { repository: string | null; tag: string | null }[] {
  const names = e.RepoTags.length > 0 ? e.RepoTags : [null]
  return names.map((text) => {
    let repo: string | null = null
    let tag: string | null = null
    if (text !== null) {
      const name = parseImageName(text)
      if (typeof name === 'string') throw new BerthError('INVALID_INPUT', `In the docker archive: ${name}; import it with --repo to name it yourself.`, { needs: 'repository' })
      repo = name.repository
      tag = name.tag ?? 'latest'
    }
    if (repository) {
      repo = repository
      tag ??= 'latest'
    }
    return { repository: repo, tag }
  })
}

/**
 * A Docker schema-2 manifest for each image of a `docker save` archive, from the staged config and
 * layers (gzip or plain tar, as the bytes say), named by its RepoTags or `repository`. The digest is
 * whatever the manifest's bytes hash to: docker save keeps no registry manifest.
 */
export async function dockerTargets(storage: Storage, archive: ReadTar, repository: string | undefined): Promise<ImportTarget[]> {
  const entries = parseSaveManifest(archive.meta.get('manifest.json')!)
  const targets: ImportTarget[] = []
  for (const [i, e] of entries.entries()) {
    const where = `image ${i + 1} of the docker archive`
    const config = archive.blob(e.Config)
    if (!config) throw new BerthError('INVALID_INPUT', `The docker archive lacks ${e.Config}, the config of ${where}; save the image again.`)
    let configJson: { rootfs?: { diff_ids?: unknown[] } }
    try {
      if (config.size > JSON_MAX_BYTES) throw new Error('too large')
      configJson = JSON.parse(((await storage.blobs.readBytes(config.digest)) ?? '').toString()) as typeof configJson
    } catch {
      throw new BerthError('INVALID_INPUT', `The config ${e.Config} of ${where} is not an image config (JSON); save the image again.`)
    }
    const diffIds = configJson.rootfs?.diff_ids
    if (Array.isArray(diffIds) && diffIds.length !== e.Layers.length)
      throw new BerthError('INVALID_INPUT', `The config of ${where} lists ${diffIds.length} layers but manifest.json gives ${e.Layers.length}; save the image again.`)
    const layers = e.Layers.map((path) => {
      const layer = archive.blob(path)
      if (!layer) throw new BerthError('INVALID_INPUT', `The docker archive lacks the layer ${path} of ${where}; save the image again.`)
      return { mediaType: layer.gzip ? DOCKER_LAYER_GZIP : DOCKER_LAYER, size: layer.size, digest: layer.digest.value }
    })
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { mediaType: DOCKER_CONFIG, size: config.size, digest: config.digest.value },
      layers
    }
    const bytes = Buffer.from(JSON.stringify(manifest, null, 3))
    const digest = digestOf(bytes)
    for (const { repository: repo, tag } of saveEntryNames(e, repository)) {
      if (!repo) throw new BerthError('INVALID_INPUT', `${where[0].toUpperCase()}${where.slice(1)} has no name (it was saved by id); import it with --repo <name>.`, { needs: 'repository' })
      targets.push({ repository: repo, tag, digest, manifest: { bytes, mediaType: MediaType.dockerManifest } })
    }
  }
  return targets
}
