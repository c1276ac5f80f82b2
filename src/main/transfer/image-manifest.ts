import { createHash } from 'node:crypto'
import { BerthError } from '@shared/errors'
import { layerMediaType, type LayerCompression, type ManifestFormat } from '@shared/layer-media'
import { MediaType } from '../storage/core/manifest-json'
import { parseSaveManifest } from '../storage/archive/import-docker'
import type { SaveContents } from './save-reader'

// The image a `docker save` stream holds (its config and layer paths, in order), and the registry
// manifest Berth writes for it once every blob is in place.

const CONFIG_TYPES: Record<ManifestFormat, string> = {
  docker: 'application/vnd.docker.container.image.v1+json',
  oci: 'application/vnd.oci.image.config.v1+json'
}

export interface SavedImage {
  config: Buffer
  /** Archive paths of the layers, bottom first (links resolved). */
  layers: string[]
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

/**
 * Finds the image `imageId` (the config's digest, as `inspect` gives it) in a save: from manifest.json
 * (every Docker, Podman), else from an OCI index.json. Checks the config hashes to the image ID and lists
 * as many layers as `diffIds`. Throws TRANSFER_FAILED naming what is missing.
 */
export function savedImage(contents: SaveContents, imageId: string, diffIds: readonly string[]): SavedImage {
  const fail = (what: string) => new BerthError('TRANSFER_FAILED', `The engine's export of ${imageId.slice(0, 19)} ${what}; push it again, or choose the engine's own push in Settings.`)
  let configPath: string | null = null
  let layers: string[] = []
  const manifestJson = contents.meta.get('manifest.json')
  if (manifestJson) {
    const entries = parseSaveManifest(manifestJson)
    const entry = entries.find((e) => sha256(contents.json.get(contents.resolve(e.Config)) ?? Buffer.alloc(0)) === imageId) ?? entries[0]
    configPath = entry.Config
    layers = entry.Layers
  } else if (contents.meta.has('index.json')) {
    const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`
    const index = JSON.parse(contents.meta.get('index.json')!.toString('utf8')) as { manifests?: { digest?: string }[] }
    for (const m of index.manifests ?? []) {
      const bytes = m.digest ? contents.json.get(blobPath(m.digest)) : undefined
      if (!bytes) continue
      const manifest = JSON.parse(bytes.toString('utf8')) as { config?: { digest?: string }; layers?: { digest?: string }[] }
      if (manifest.config?.digest !== imageId) continue
      configPath = blobPath(imageId)
      layers = (manifest.layers ?? []).map((l) => blobPath(l.digest ?? ''))
    }
  }
  if (!configPath) throw fail('has neither manifest.json nor an OCI index naming it')
  const config = contents.json.get(contents.resolve(configPath))
  if (!config) throw fail(`lacks its config ${configPath}`)
  if (sha256(config) !== imageId) throw fail('holds a config that is not this image’s')
  if (layers.length !== diffIds.length) throw fail(`lists ${layers.length} layers where the image has ${diffIds.length}`)
  return { config, layers: layers.map((p) => contents.resolve(p)) }
}

export interface LayerBlob {
  digest: string
  size: number
  compression: LayerCompression
}

/** Docker schema 2 or OCI image manifest bytes (3-space indented, as docker push writes them). */
export function imageManifest(format: ManifestFormat, config: { digest: string; size: number }, layers: LayerBlob[]): { bytes: Buffer; mediaType: string } {
  const mediaType = format === 'docker' ? MediaType.dockerManifest : MediaType.ociManifest
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: CONFIG_TYPES[format], size: config.size, digest: config.digest },
    layers: layers.map((l) => {
      const type = layerMediaType(l.compression, format)
      if (!type) throw new BerthError('TRANSFER_FAILED', `A ${l.compression} layer cannot go into a Docker schema 2 manifest; choose the OCI manifest format in Settings.`)
      return { mediaType: type, size: l.size, digest: l.digest }
    })
  }
  return { bytes: Buffer.from(JSON.stringify(manifest, null, 3)), mediaType }
}
