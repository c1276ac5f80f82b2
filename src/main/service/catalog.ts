import { BerthError } from '@shared/errors'
import type { ManifestDetail, RepositorySummary, TagSummary } from '@shared/model/catalog'
import { digestOrNull, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import { mapLimit } from '../storage/core/files'
import { CatalogInsight } from '../catalog-insight'

/**
 * What the UI asks of the stored images: repositories with sizes, tags with platforms, one manifest
 * in detail, deletes and retags. Works on the data folder directly, so it also works while the
 * registry is stopped.
 */
export class CatalogService {
  /** Signatures, SBOMs and provenance of the stored images. */
  readonly insight: CatalogInsight

  constructor(readonly storage: Storage) {
    this.insight = new CatalogInsight(storage)
  }

  private get inspector() {
    return this.storage.inspector
  }

  async repositories(filter = '', offset = 0, limit = 1000): Promise<{ total: number; items: RepositorySummary[] }> {
    const all = await this.storage.catalog.list()
    const needle = filter.trim().toLowerCase()
    const matching = needle ? all.filter((n) => n.includes(needle)) : all
    const page = matching.slice(offset, offset + limit)
    const sizes = await this.storage.sizes.sizes(page)
    return {
      total: matching.length,
      items: sizes.map((s) => ({ ...s, lastPush: s.lastPush?.toISOString() ?? null }))
    }
  }

  private async requireRepository(name: string): Promise<void> {
    if (!(await this.storage.repos.exists(name))) throw new BerthError('NOT_FOUND', `There is no repository ${name} in this registry.`, { repository: name })
  }

  async tags(repository: string): Promise<TagSummary[]> {
    await this.requireRepository(repository)
    const names = (await this.storage.repos.tags(repository)) ?? []
    const rows = await mapLimit(names, 16, async (tag): Promise<TagSummary | null> => {
      const info = await this.storage.repos.tagInfo(repository, tag)
      if (!info) return null
      const manifest = await this.inspector.manifest(info.digest)
      if (!manifest) return null
      const reach = await this.inspector.reach(info.digest)
      let size = 0
      for (const s of reach.values()) size += s
      let created: string | null = null
      if (manifest.kind !== 'index') {
        created = (await this.inspector.config(manifest.config))?.created ?? null
      } else {
        for (const child of manifest.children.filter((c) => !c.attestation)) {
          const d = digestOrNull(child.digest)
          const m = d ? await this.inspector.manifest(d) : null
          const c = m ? (await this.inspector.config(m.config))?.created : null
          if (c && (!created || c > created)) created = c
        }
      }
      return {
        tag,
        digest: info.digest.value,
        mediaType: manifest.mediaType,
        kind: manifest.kind,
        size,
        created,
        pushedAt: info.pushedAt.toISOString(),
        platforms: manifest.children.filter((c) => !c.attestation && c.platform).map((c) => c.platform!),
        attestations: manifest.children.filter((c) => c.attestation).length
      }
    })
    return rows.filter((r): r is TagSummary => r !== null)
  }

  async manifest(repository: string, reference: string): Promise<ManifestDetail> {
    const digest = await this.storage.manifests.resolve(repository, digestOrNull(reference) ?? reference)
    if (!digest) throw new BerthError('NOT_FOUND', `${repository} has no manifest ${reference}.`, { repository, reference })
    const info = await this.inspector.manifest(digest)
    if (!info) throw new BerthError('NOT_FOUND', `The manifest ${digest.value} of ${repository} is missing from the data folder or unreadable.`)
    const image = info.kind === 'index' ? null : await this.inspector.config(info.config)
    const tags = await this.storage.repos.tagsPointingTo(repository, digest)
    return {
      repository,
      digest: digest.value,
      mediaType: info.mediaType,
      kind: info.kind,
      size: info.size,
      artifactType: info.artifactType,
      subject: info.subject ? { mediaType: info.subject.mediaType, digest: info.subject.digest, size: info.subject.size } : null,
      annotations: info.annotations,
      tags,
      layers: info.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations ? { annotations: l.annotations } : {}) })),
      config: info.config ? { mediaType: info.config.mediaType, digest: info.config.digest, size: info.config.size } : null,
      image,
      children: await Promise.all(
        info.children.map(async (c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size, platform: c.platform, attestation: c.attestation, imageSize: await this.reachedSize(c.digest) }))
      ),
      raw: info.raw
    }
  }

  /** Bytes a manifest reaches (itself, config, layers; an index's children), or null when it is not stored. */
  private async reachedSize(digestText: string): Promise<number | null> {
    const d = digestOrNull(digestText)
    if (!d || !(await this.inspector.manifest(d))) return null
    let size = 0
    for (const s of (await this.inspector.reach(d)).values()) size += s
    return size
  }

  async deleteTag(repository: string, tag: string): Promise<void> {
    if (!(await this.storage.repos.untag(repository, tag))) throw new BerthError('NOT_FOUND', `${repository} has no tag ${tag}.`, { repository, tag })
  }

  /**
   * Deletes many tags, each on its own (as many single deletes would, announced as one change): a
   * tag already gone is reported, never an error of the rest.
   */
  deleteTags(repository: string, tags: readonly string[]): Promise<{ deleted: string[]; missing: string[] }> {
    return this.storage.changes.coalesce('untag', async () => {
      await this.requireRepository(repository)
      const deleted: string[] = []
      const missing: string[] = []
      for (const tag of new Set(tags)) ((await this.storage.repos.untag(repository, tag)) ? deleted : missing).push(tag)
      return { deleted, missing }
    })
  }

  /** Deletes a manifest (and, with `referrers`, what is stored about it first); the tags it had, and the referrers that went. */
  async deleteManifest(repository: string, digestText: string, referrers = false): Promise<{ tags: string[]; referrers: string[] }> {
    const digest = digestOrNull(digestText)
    if (!digest) throw new BerthError('INVALID_INPUT', `${digestText} is not a digest.`)
    const tags = await this.storage.repos.tagsPointingTo(repository, digest)
    if (!(await this.storage.repos.hasRevision(repository, digest)) && tags.length === 0)
      throw new BerthError('NOT_FOUND', `${repository} has no manifest ${digest.value}.`, { repository, digest: digest.value })
    const gone: string[] = []
    await this.storage.changes.coalesce('delete', async () => {
      // Referrers first: none is left naming a subject that is gone if this stops half-way.
      if (referrers) for (const r of await this.insight.closure(repository, digest)) if (await this.storage.manifests.delete(repository, r)) gone.push(r.value)
      await this.storage.manifests.delete(repository, digest)
    }, digest.value)
    return { tags, referrers: gone }
  }

  /**
   * Tags `repository:reference` as `target:tag` without Docker: in another repository the blobs (and an
   * index's child manifests) are linked first, as a cross-repository mount would, then the same bytes
   * are stored, so the digest does not change.
   */
  retag(repository: string, reference: string, target: string, tag: string): Promise<Digest> {
    // Its links and manifests reach the change feed as one change of the target.
    return this.storage.changes.coalesce('retag', () => this.retagInto(repository, reference, target, tag), tag)
  }

  private async retagInto(repository: string, reference: string, target: string, tag: string): Promise<Digest> {
    const digest = await this.storage.manifests.resolve(repository, digestOrNull(reference) ?? reference)
    if (!digest) throw new BerthError('NOT_FOUND', `${repository} has no manifest ${reference}.`, { repository, reference })
    if (target !== repository) await this.copyInto(repository, digest, target, 0)
    const bytes = await this.storage.blobs.readBytes(digest)
    const info = await this.inspector.manifest(digest)
    if (!bytes || !info) throw new BerthError('NOT_FOUND', `The manifest ${digest.value} is missing from the data folder.`)
    await this.storage.manifests.put(target, { tag }, bytes, info.mediaType)
    return digest
  }

  private async copyInto(source: string, digest: Digest, target: string, depth: number): Promise<void> {
    if (depth > 8) return
    const info = await this.inspector.manifest(digest)
    if (!info) throw new BerthError('NOT_FOUND', `The manifest ${digest.value} is missing from the data folder.`)
    for (const child of info.children) {
      const d = digestOrNull(child.digest)
      if (!d || !(await this.storage.repos.hasRevision(source, d))) continue
      await this.copyInto(source, d, target, depth + 1)
      const bytes = await this.storage.blobs.readBytes(d)
      const childInfo = await this.inspector.manifest(d)
      if (bytes && childInfo) await this.storage.manifests.put(target, {}, bytes, childInfo.mediaType)
    }
    const into = this.storage.repository(target)
    for (const blob of [info.config, ...info.layers]) {
      if (!blob || (Array.isArray(blob.urls) && blob.urls.length > 0)) continue
      const d = digestOrNull(blob.digest)
      if (d) await into.mountFrom(d, source)
    }
  }
}

