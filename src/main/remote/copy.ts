import { BerthError } from '@shared/errors'
import { DigestMismatchError, ManifestError, MissingReferencesError } from '../storage'
import { mapLimit } from '../storage/core/files'
import { copyBlob, type BlobOutcome } from './blob-copy'
import type { Endpoint } from './endpoint'
import { formatPlatform, pickPlatform, type Platform } from './platform'
import { noResume, type ResumeStore } from './resume'

// Copies one image (or index) between endpoints, byte for byte: manifests are stored exactly as the
// source serves them, so every digest stays what it was. Children before parents, blobs before
// the manifest naming them, the tag last: a copy cut at any point leaves nothing half-pointing.

export interface CopyRequest {
  source: Endpoint
  sourceRepo: string
  /** A tag or a digest. */
  reference: string
  target: Endpoint
  targetRepo: string
  /** Null: the target gets the manifest by digest only (the source was a digest). */
  targetTag: string | null
  /** An index: every child ('all') or the one for a platform (which is then what gets tagged, as skopeo does). */
  platforms: 'all' | Platform
  resume?: ResumeStore
  signal?: AbortSignal
  onProgress?: (event: CopyProgress) => void
  /** Blobs sent at once (default 3). */
  concurrency?: number
}

export interface CopyProgress {
  digest: string
  phase: 'waiting' | 'copying' | BlobOutcome
  current: number
  total: number
}

export interface CopyResult {
  /** The digest of what was tagged (the index, or the chosen platform's manifest). */
  digest: string
  mediaType: string
  manifests: number
  blobs: Record<BlobOutcome, number>
  /** The platform picked from an index (absent when the source was one image, or with 'all'). */
  platform?: string
  /** Bytes this copy moved (not counting blobs skipped, mounted or sent by an earlier run). */
  bytes: number
}

const INDEX = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'])

interface Desc {
  digest: string
  mediaType: string
  size: number
  urls?: string[]
  platform?: Platform
}

function parse(bytes: Buffer): { manifests?: Desc[]; config?: Desc; layers?: Desc[] } {
  return JSON.parse(bytes.toString('utf8'))
}

function storeError(err: unknown, where: string): unknown {
  if (err instanceof MissingReferencesError)
    return new BerthError('TRANSFER_FAILED', `${where} refused the manifest: it misses ${err.missing.length} of its blobs; run the copy again.`, { missing: err.missing })
  if (err instanceof ManifestError || err instanceof DigestMismatchError) return new BerthError('TRANSFER_FAILED', `${where} refused the manifest: ${err.message}.`)
  return err
}

export async function copyImage(req: CopyRequest): Promise<CopyResult> {
  const resume = req.resume ?? noResume
  const result: CopyResult = { digest: '', mediaType: '', manifests: 0, blobs: { exists: 0, mounted: 0, copied: 0 }, bytes: 0 }
  const where = `${req.source.label}/${req.sourceRepo}`

  async function fetchManifest(reference: string) {
    const m = await req.source.manifest(req.sourceRepo, reference)
    if (!m) throw new BerthError('NOT_FOUND', `${where} has no ${reference.includes(':') ? 'manifest' : 'tag'} ${reference}; check the name with the registry's tag list.`)
    return m
  }

  async function put(reference: string, bytes: Buffer, mediaType: string) {
    if (req.signal?.aborted) throw req.signal.reason
    try {
      await req.target.putManifest(req.targetRepo, reference, bytes, mediaType)
    } catch (err) {
      throw storeError(err, `${req.target.label}/${req.targetRepo}`)
    }
    result.manifests++
  }

  async function copyBlobs(descs: Desc[]) {
    const unique = [...new Map(descs.filter((d) => !(d.urls && d.urls.length)).map((d) => [d.digest, d])).values()]
    for (const d of unique) req.onProgress?.({ digest: d.digest, phase: 'waiting', current: 0, total: d.size })
    await mapLimit(unique, req.concurrency ?? 3, async (d) => {
      let start = -1
      let held = 0
      const outcome = await copyBlob({
        source: req.source,
        sourceRepo: req.sourceRepo,
        target: req.target,
        targetRepo: req.targetRepo,
        digest: d.digest,
        size: d.size,
        resume,
        signal: req.signal,
        onBytes: (n) => {
          if (start < 0) start = n
          held = n
          req.onProgress?.({ digest: d.digest, phase: 'copying', current: n, total: d.size })
        },
        onPhase: (phase) => {
          if (phase !== 'copying') req.onProgress?.({ digest: d.digest, phase, current: d.size, total: d.size })
        }
      })
      result.blobs[outcome]++
      if (outcome === 'copied') result.bytes += held - Math.max(start, 0)
    })
  }

  /** An image manifest (its blobs first), or an index (every child first), stored under `reference`. */
  async function copyTree(bytes: Buffer, mediaType: string, reference: string): Promise<void> {
    const json = parse(bytes)
    if (INDEX.has(mediaType) || Array.isArray(json.manifests)) {
      for (const child of json.manifests ?? []) {
        const m = await fetchManifest(child.digest)
        await copyTree(m.bytes, m.mediaType, m.digest)
      }
    } else {
      await copyBlobs([...(json.config ? [json.config] : []), ...(json.layers ?? [])])
    }
    await put(reference, bytes, mediaType)
  }

  const top = await fetchManifest(req.reference)
  let chosen = top
  const topJson = parse(top.bytes)
  if (req.platforms !== 'all' && (INDEX.has(top.mediaType) || Array.isArray(topJson.manifests))) {
    const child = pickPlatform(topJson.manifests ?? [], req.platforms, `${where}:${req.reference}`)
    chosen = await fetchManifest(child.digest)
    result.platform = formatPlatform(req.platforms)
  }
  await copyTree(chosen.bytes, chosen.mediaType, req.targetTag ?? chosen.digest)
  result.digest = chosen.digest
  result.mediaType = chosen.mediaType
  return result
}
