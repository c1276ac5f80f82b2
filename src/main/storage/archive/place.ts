import { BerthError } from '@shared/errors'
import type { Digest } from '@shared/reference'
import type { Storage } from '../index'
import { ManifestError, parseManifest } from '../core/manifest-json'
import { JSON_MAX_BYTES } from './read-tar'
import type { ProgressListener } from './progress'

export interface ImportTarget {
  repository: string
  /** null: stored untagged (the archive named it by digest only). */
  tag: string | null
  digest: Digest
  /** The manifest's bytes when made by the import (docker save archives); otherwise read from the store. */
  manifest?: { bytes: Buffer; mediaType: string }
  /** The original manifest this one is Berth's OCI rendering of (see oci-compat.ts). */
  convertedFrom?: Digest
}

export interface Placed {
  images: { repository: string; tag: string | null; digest: string }[]
  blobs: number
  bytes: number
}

/** Two names for one repository:tag in one archive would make the result depend on entry order. */
export function checkNoConflicts(targets: ImportTarget[]): void {
  const seen = new Map<string, string>()
  for (const t of targets) {
    if (!t.tag) continue
    const key = `${t.repository}:${t.tag}`
    const other = seen.get(key)
    if (other && other !== t.digest.value)
      throw new BerthError('INVALID_INPUT', `The archive names two different images ${key}; import them into different repositories with --repo, one archive at a time.`)
    seen.set(key, t.digest.value)
  }
}

/**
 * Links what each target needs into its repository and stores its manifests (children first, as
 * the manifest store requires), all untagged; only when every target is in place are the tags
 * written, so a failure part-way leaves no tag pointing at a half-imported image.
 */
export async function placeImages(storage: Storage, targets: ImportTarget[], onProgress?: ProgressListener): Promise<Placed & { used: ReadonlySet<string> }> {
  checkNoConflicts(targets)
  const blobs = new Map<string, number>()
  const done = new Set<string>()

  const readManifest = async (digest: Digest, where: string): Promise<Buffer> => {
    const size = await storage.blobs.size(digest)
    if (size === null) throw new BerthError('INVALID_INPUT', `The archive lacks the manifest ${digest.value} that ${where} needs; export the image again.`)
    if (size > JSON_MAX_BYTES) throw new BerthError('INVALID_INPUT', `The manifest ${digest.value} of ${where} is ${size} bytes, too large to be a manifest; the archive is damaged.`)
    return (await storage.blobs.readBytes(digest))!
  }

  const place = async (repository: string, digest: Digest, given: { bytes: Buffer; mediaType: string } | undefined, where: string, depth: number): Promise<void> => {
    const key = `${repository}\u0000${digest.value}`
    if (done.has(key)) return
    if (depth > 4) throw new BerthError('INVALID_INPUT', `${where} nests indexes more than four deep; the archive is not a usable image archive.`)
    const bytes = given?.bytes ?? (await readManifest(digest, where))
    let parsed
    try {
      parsed = parseManifest(bytes, given?.mediaType)
    } catch (err) {
      if (err instanceof ManifestError) throw new BerthError('INVALID_INPUT', `The manifest ${digest.value} of ${where} is not usable (${err.message}); export the image again.`)
      throw err
    }
    for (const child of parsed.manifests) await place(repository, child, undefined, where, depth + 1)
    for (const blob of parsed.blobs) {
      const size = await storage.blobs.size(blob)
      if (size === null) throw new BerthError('INVALID_INPUT', `The archive lacks the blob ${blob.value} that ${where} needs; export the image again.`)
      await storage.repos.linkLayer(repository, blob)
      blobs.set(blob.value, size)
    }
    await storage.manifests.put(repository, { digest }, bytes, parsed.mediaType)
    blobs.set(digest.value, bytes.length)
    done.add(key)
  }

  for (const [i, t] of targets.entries()) {
    const name = t.tag ? `${t.repository}:${t.tag}` : `${t.repository}@${t.digest.value}`
    onProgress?.({ phase: 'store', done: i, total: targets.length, item: name })
    await place(t.repository, t.digest, t.manifest, name, 0)
  }
  for (const t of targets) if (t.tag) await storage.repos.tag(t.repository, t.tag, t.digest)
  onProgress?.({ phase: 'store', done: targets.length, total: targets.length })
  return {
    images: targets.map((t) => ({ repository: t.repository, tag: t.tag ?? null, digest: t.digest.value })),
    blobs: blobs.size,
    bytes: [...blobs.values()].reduce((a, b) => a + b, 0),
    used: new Set(blobs.keys())
  }
}
