import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import { parseJson } from '../storage/core/manifest-json'
import type { ManifestInfo } from '../storage/manage/inspect'
import type { ProgressState } from '../docker/progress'

// An engine's push says "Mounted from team/base" or "Layer already exists" without a size, and counts
// a pushed layer's uncompressed bytes; the registry it pushed to is Berth's own, so the stored manifest
// says what each layer really is there. Read once the transfer is done (the manifest is stored last),
// never guessed while it runs.

/** Where a layer of a stored image can be named: its blob digest and its diff ID (docker push names layers by the latter). */
interface StoredLayer {
  names: string[]
  size: number
}

const hex = (digest: string) => digest.slice(digest.indexOf(':') + 1)

async function diffIdsOf(storage: Storage, manifest: ManifestInfo): Promise<string[]> {
  const config = manifest.config ? parseDigest(manifest.config.digest) : null
  if (!config || typeof config !== 'object' || manifest.config!.size > 8 << 20) return []
  const bytes = await storage.blobs.readBytes(config)
  if (!bytes) return []
  try {
    const rootfs = parseJson(bytes).rootfs as { diff_ids?: unknown } | undefined
    return Array.isArray(rootfs?.diff_ids) ? rootfs.diff_ids.filter((d): d is string => typeof d === 'string') : []
  } catch {
    return []
  }
}

async function layersOf(storage: Storage, manifest: ManifestInfo): Promise<StoredLayer[]> {
  const diffIds = await diffIdsOf(storage, manifest)
  return manifest.layers.map((l, i) => ({ names: [hex(l.digest), ...(diffIds[i] ? [hex(diffIds[i])] : [])], size: l.size }))
}

/** A layer id from a progress stream (12 hex of a digest, or all 64) is this stored layer. */
const names = (layer: StoredLayer, id: string) => layer.names.some((n) => n.startsWith(id))

async function reachedBytes(storage: Storage, digests: Digest[]): Promise<number> {
  const reached = new Map<string, number>()
  for (const d of digests) await storage.inspector.reach(d, reached)
  let bytes = 0
  for (const size of reached.values()) bytes += size
  return bytes
}

/**
 * Fills in `size` of every layer of a finished transfer and its `imageBytes` from the manifest
 * `state.digest` stored in `repository`. For an index, the image is the platforms whose layers the
 * transfer moved (a pull takes one, a push of a multi-platform image all). Leaves `state` as it was
 * when the manifest is not stored (a failed transfer) or names no layer of the transfer.
 */
export async function addStoredSizes(storage: Storage, repository: string, state: ProgressState): Promise<ProgressState> {
  const digest = state.digest ? parseDigest(state.digest) : null
  if (typeof digest !== 'object' || digest === null || state.error || !(await storage.repos.hasRevision(repository, digest))) return state
  const top = await storage.inspector.manifest(digest)
  if (!top) return state
  const images: { digest: Digest; layers: StoredLayer[] }[] = []
  if (top.kind === 'index') {
    for (const child of top.children) {
      const d = parseDigest(child.digest)
      const info = typeof d === 'object' && !child.attestation ? await storage.inspector.manifest(d) : null
      if (info && typeof d === 'object') images.push({ digest: d, layers: await layersOf(storage, info) })
    }
  } else images.push({ digest, layers: await layersOf(storage, top) })

  const ids = [...state.layers.keys()]
  const moved = images.filter((image) => image.layers.length > 0 && image.layers.every((l) => ids.some((id) => names(l, id))))
  if (moved.length === 0) return state
  for (const layer of state.layers.values()) {
    const stored = moved.flatMap((image) => image.layers).find((l) => names(l, layer.id))
    if (stored) layer.size = stored.size
  }
  // An index's own bytes, and only the platforms moved: reaching the index would count every platform.
  state.imageBytes = top.kind === 'index' ? top.size + (await reachedBytes(storage, moved.map((i) => i.digest))) : await reachedBytes(storage, [digest])
  return state
}
