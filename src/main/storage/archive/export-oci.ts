import { BerthError } from '@shared/errors'
import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../index'
import type { SelectedImage } from './resolve-images'
import { byteReporter, type ProgressListener } from './progress'
import { writeTarFile } from './tar-writer'
import { CONVERTED_FROM, isDockerManifestType, renderStored } from './oci-compat'

export const REF_NAME = 'org.opencontainers.image.ref.name'
export const CONTAINERD_NAME = 'io.containerd.image.name'
export const OCI_LAYOUT = JSON.stringify({ imageLayoutVersion: '1.0.0' })

/** Path of a blob inside an OCI layout (also where Berth's docker archives keep them). */
export function blobEntryName(digest: string): string {
  const [algorithm, hex] = digest.split(':')
  return `blobs/${algorithm}/${hex}`
}

/** Every blob the images reach (manifests, configs, layers, an index's children), each once, with its size on disk. */
export async function collectBlobs(storage: Storage, roots: Digest[]): Promise<Map<string, number>> {
  const inspector = storage.inspector
  const reached = new Map<string, number>()
  for (const root of roots) await inspector.reach(root, reached)
  const sizes = new Map<string, number>()
  for (const value of reached.keys()) {
    const digest = parseDigest(value)
    const size = typeof digest === 'object' ? await storage.blobs.size(digest) : null
    if (size === null)
      throw new BerthError('NOT_FOUND', `The blob ${value} that an exported image needs is missing from the data folder; push the image again before exporting.`)
    sizes.set(value, size)
  }
  return sizes
}

/**
 * An OCI image layout in one tar: `oci-layout`, `index.json` naming each image twice (the tag in
 * `org.opencontainers.image.ref.name` for skopeo/podman, the full name in `io.containerd.image.name`
 * for containerd and Berth), then `blobs/sha256/…` streamed from the blob store. Indexes go whole.
 * Docker-typed images are listed through an OCI rendering, for containers/image (see oci-compat.ts).
 */
export async function writeOciArchive(storage: Storage, images: SelectedImage[], file: string, onProgress?: ProgressListener): Promise<number> {
  const manifests = []
  const rendered = new Map<string, Buffer>()
  for (const image of images) {
    const stored = await storage.manifests.get(image.repository, image.digest)
    if (!stored) throw new BerthError('NOT_FOUND', `The manifest ${image.digest.value} of ${image.repository} is missing; push the image again before exporting.`)
    const fullName = image.tag ? `${image.repository}:${image.tag}` : `${image.repository}@${image.digest.value}`
    const annotations: Record<string, string> = { [CONTAINERD_NAME]: fullName }
    if (image.tag) annotations[REF_NAME] = image.tag
    const oci = isDockerManifestType(stored.mediaType) ? await renderStored(storage, stored.bytes) : null
    if (oci) {
      // The original stays in blobs/ (collectBlobs reaches it); Berth's import restores it from there.
      manifests.push({ mediaType: oci.mediaType, digest: oci.digest.value, size: oci.bytes.length, annotations: { ...annotations, [CONVERTED_FROM]: image.digest.value } })
      for (const [d, b] of oci.blobs) rendered.set(d, b)
    } else {
      manifests.push({ mediaType: stored.mediaType, digest: image.digest.value, size: stored.bytes.length, annotations })
    }
  }
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }
  const blobs = await collectBlobs(storage, images.map((i) => i.digest))
  const total = [...blobs.values()].reduce((a, b) => a + b, 0)
  const progress = byteReporter(onProgress, 'write', total)

  return writeTarFile(file, async (tar) => {
    await tar.addBuffer('oci-layout', Buffer.from(OCI_LAYOUT))
    await tar.addBuffer('index.json', Buffer.from(JSON.stringify(index, null, 2)))
    for (const [digest, bytes] of rendered) if (!blobs.has(digest)) await tar.addBuffer(blobEntryName(digest), bytes)
    for (const [digest, size] of blobs) {
      progress.report(digest)
      await tar.addFile(blobEntryName(digest), storage.blobs.dataPath(parseDigest(digest) as Digest), size, (n) => progress.add(n, digest))
    }
    progress.report()
  })
}
