import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../index'
import { digestOf } from '../core/manifests'
import { MediaType, parseJson } from '../core/manifest-json'
import type { ImportTarget } from './place'
import { JSON_MAX_BYTES } from './read-tar'

/*
 * containers/image (skopeo, podman) looks a name up in an OCI layout's index.json among entries with
 * OCI media types only (skopeo#1975), and podman 4 loads only single-image layouts, so an image that
 * docker pushed (schema 2) is listed in Berth's OCI archives as an OCI rendering of its manifest: same
 * config and layers, OCI media types. The original manifest travels too, as a blob that index.json does
 * not list, named by `CONVERTED_FROM`; Berth's import checks that it renders to the listed manifest and
 * stores the original, so a Berth-to-Berth transfer keeps the digest people pinned.
 */
export const CONVERTED_FROM = 'io.github.berth.converted-from'

const LAYER_TYPES: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar': 'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.docker.container.image.v1+json': 'application/vnd.oci.image.config.v1+json'
}

export function isDockerManifestType(mediaType: string): boolean {
  return mediaType === MediaType.dockerManifest || mediaType === MediaType.dockerList
}

export interface Rendering {
  digest: Digest
  bytes: Buffer
  mediaType: string
  /** The rendered manifests (the top one and an index's children), to be written as blobs. */
  blobs: Map<string, Buffer>
}

type Json = Record<string, unknown>

function retype(d: unknown): unknown {
  const desc = d as Json
  const mediaType = typeof desc.mediaType === 'string' ? (LAYER_TYPES[desc.mediaType] ?? desc.mediaType) : desc.mediaType
  return { ...desc, mediaType }
}

/**
 * The OCI rendering of a Docker schema-2 manifest or manifest list (children rendered too; configs
 * and layers untouched). `read` gives a child manifest's bytes. Null when a child is missing.
 */
export async function renderAsOci(bytes: Buffer, read: (digest: string) => Promise<Buffer | null>, depth = 0): Promise<Rendering | null> {
  const json = parseJson(bytes)
  const blobs = new Map<string, Buffer>()
  let out: Json
  if (json.mediaType === MediaType.dockerList) {
    if (depth > 2 || !Array.isArray(json.manifests)) return null
    const manifests = []
    for (const child of json.manifests as Json[]) {
      const childBytes = typeof child.digest === 'string' ? await read(child.digest) : null
      if (!childBytes) return null
      const childType = parseJson(childBytes).mediaType
      if (typeof childType !== 'string' || !isDockerManifestType(childType)) {
        manifests.push(child)
        continue
      }
      const rendered = await renderAsOci(childBytes, read, depth + 1)
      if (!rendered) return null
      for (const [d, b] of rendered.blobs) blobs.set(d, b)
      manifests.push({ ...child, mediaType: rendered.mediaType, digest: rendered.digest.value, size: rendered.bytes.length })
    }
    out = { ...json, mediaType: MediaType.ociIndex, manifests }
  } else if (json.mediaType === MediaType.dockerManifest) {
    out = { ...json, mediaType: MediaType.ociManifest, config: retype(json.config), layers: Array.isArray(json.layers) ? json.layers.map(retype) : json.layers }
  } else {
    return null
  }
  const rendered = Buffer.from(JSON.stringify(out))
  const digest = digestOf(rendered)
  blobs.set(digest.value, rendered)
  return { digest, bytes: rendered, mediaType: out.mediaType as string, blobs }
}

/** renderAsOci over the blob store. */
export function renderStored(storage: Storage, bytes: Buffer): Promise<Rendering | null> {
  return renderAsOci(bytes, async (digest) => {
    const d = parseDigest(digest)
    return typeof d === 'object' ? storage.blobs.readBytes(d) : null
  })
}

/**
 * For each target that is Berth's rendering of an original the store now holds (staged from the
 * archive), the original instead, provided it renders to exactly the listed manifest.
 */
export async function restoreOriginals(storage: Storage, targets: ImportTarget[]): Promise<ImportTarget[]> {
  const out: ImportTarget[] = []
  for (const t of targets) {
    const original = t.convertedFrom ? await storage.blobs.readBytes(t.convertedFrom) : null
    const rendering = original && original.length <= JSON_MAX_BYTES ? await renderStored(storage, original).catch(() => null) : null
    out.push(rendering && t.convertedFrom && rendering.digest.value === t.digest.value ? { repository: t.repository, tag: t.tag, digest: t.convertedFrom } : t)
  }
  return out
}
