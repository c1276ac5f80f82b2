import { layerCompression, layerMediaType, type LayerCompression, type ManifestFormat } from '@shared/layer-media'
import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import { Inspector } from '../storage/manage/inspect'
import { parseJson } from '../storage/core/manifest-json'

// Which layers Berth already stores, by the engine's name for them: the diff ID (sha256 of the
// uncompressed tar). A stored image's config lists `rootfs.diff_ids[i]` for its manifest's `layers[i]`,
// so every image manifest in any repository maps diff IDs to blobs. Manifests are immutable: each is
// read once per process, later lookups only read the revisions not seen yet.

const CONFIG_MAX_BYTES = 8 << 20

export interface StoredLayer {
  digest: Digest
  size: number
  compression: LayerCompression
}

export class DiffIdIndex {
  private readonly byDiffId = new Map<string, StoredLayer[]>()
  private readonly seen = new Set<string>()
  private readonly inspector: Inspector
  private refreshing: Promise<void> | null = null

  constructor(private readonly storage: Storage) {
    this.inspector = new Inspector(storage.blobs)
  }

  /** Reads the manifests stored since the last call (concurrent callers share one walk). */
  refresh(): Promise<void> {
    this.refreshing ??= this.walk().finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  private async walk(): Promise<void> {
    for (const repository of await this.storage.catalog.list()) {
      const fresh = (await this.storage.repos.revisions(repository)).filter((d) => !this.seen.has(d.value))
      for (const d of fresh) {
        this.seen.add(d.value)
        await this.read(d)
      }
    }
  }

  private async read(digest: Digest): Promise<void> {
    const info = await this.inspector.manifest(digest)
    if (!info || info.kind !== 'image' || !info.config || info.config.size > CONFIG_MAX_BYTES) return
    const config = parseDigest(info.config.digest)
    const bytes = typeof config === 'object' ? await this.storage.blobs.readBytes(config) : null
    if (!bytes) return
    let diffIds: unknown
    try {
      diffIds = (parseJson(bytes).rootfs as { diff_ids?: unknown } | undefined)?.diff_ids
    } catch {
      return
    }
    if (!Array.isArray(diffIds) || diffIds.length !== info.layers.length) return
    info.layers.forEach((layer, i) => {
      const compression = layerCompression(layer.mediaType)
      const d = parseDigest(layer.digest)
      if (typeof diffIds[i] !== 'string' || !compression || typeof d !== 'object' || (layer.urls?.length ?? 0) > 0) return
      this.add(diffIds[i] as string, { digest: d, size: layer.size, compression })
    })
  }

  private add(diffId: string, layer: StoredLayer): void {
    const list = this.byDiffId.get(diffId) ?? []
    if (!list.some((l) => l.digest.value === layer.digest.value)) list.push(layer)
    this.byDiffId.set(diffId, list)
  }

  /**
   * For each diff ID, a stored blob holding that layer that a `format` manifest can name, still present
   * (and claimed: touched for the garbage collector, which now leaves it alone while the push runs).
   * Prefers a blob `repository` already links, then one in `prefer` compression. A blob whose digest is
   * the diff ID itself is the uncompressed tar, whether or not a manifest names it.
   */
  async lookup(diffIds: string[], options: { repository: string; format: ManifestFormat; prefer: LayerCompression }): Promise<Map<string, StoredLayer & { linked: boolean }>> {
    await this.refresh()
    const out = new Map<string, StoredLayer & { linked: boolean }>()
    for (const diffId of new Set(diffIds)) {
      const candidates = [...(this.byDiffId.get(diffId) ?? [])]
      const plain = parseDigest(diffId)
      if (typeof plain === 'object' && !candidates.some((c) => c.digest.value === plain.value))
        candidates.push({ digest: plain, size: -1, compression: 'uncompressed' })
      const usable = candidates.filter((c) => layerMediaType(c.compression, options.format) !== null)
      const ranked = await Promise.all(
        usable.map(async (c) => ({ c, linked: await this.storage.repos.hasLayer(options.repository, c.digest) }))
      )
      ranked.sort((a, b) => Number(b.linked) - Number(a.linked) || Number(b.c.compression === options.prefer) - Number(a.c.compression === options.prefer))
      for (const { c, linked } of ranked) {
        const size = await this.storage.blobs.claim(c.digest)
        if (size === null) continue
        out.set(diffId, { ...c, size, linked })
        break
      }
    }
    return out
  }
}

const indexes = new WeakMap<Storage, DiffIdIndex>()

/** The index of a storage, kept as long as the storage is open. */
export function diffIdIndexFor(storage: Storage): DiffIdIndex {
  let index = indexes.get(storage)
  if (!index) {
    index = new DiffIdIndex(storage)
    indexes.set(storage, index)
  }
  return index
}
