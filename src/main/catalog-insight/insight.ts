import { BerthError } from '@shared/errors'
import type { Referrer, ReferrersResult, SbomPage } from '@shared/model/insight'
import { digestOrNull, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import type { ManifestInfo } from '../storage/manage'
import { BlobReader, classify, type Placement } from './classify'
import { filterPackages, licenceCounts } from './sbom'

const DEPTH_MAX = 4

/** cosign's tag scheme: the signature, attestations and SBOM of `sha256:<hex>` are tags `sha256-<hex>.sig|.att|.sbom`. */
export function cosignTags(digest: Digest): string[] {
  return ['sig', 'att', 'sbom'].map((suffix) => `${digest.algorithm}-${digest.hex}.${suffix}`)
}

/**
 * What is stored about the images of a data folder: signatures, SBOMs and provenance found by
 * subject, by cosign's tags and inside BuildKit indexes, decoded for the window. Reads only.
 */
export class CatalogInsight {
  private readonly reader: BlobReader

  constructor(readonly storage: Storage) {
    this.reader = new BlobReader(storage)
  }

  private async requireManifest(repository: string, reference: string): Promise<{ digest: Digest; info: ManifestInfo }> {
    const digest = await this.storage.manifests.resolve(repository, digestOrNull(reference) ?? reference)
    const info = digest ? await this.storage.inspector.manifest(digest) : null
    if (!digest || !info) throw new BerthError('NOT_FOUND', `${repository} has no manifest ${reference}.`, { repository, reference })
    return { digest, info }
  }

  /** The manifests that name `digest` directly: by subject, and by cosign's tags. */
  private async direct(repository: string, digest: Digest): Promise<{ digest: Digest; tag: string | null; source: 'subject' | 'tag' }[]> {
    const out: { digest: Digest; tag: string | null; source: 'subject' | 'tag' }[] = []
    for (const d of await this.storage.manifests.referrers(repository, digest)) {
      const parsed = digestOrNull(d.digest)
      if (parsed) out.push({ digest: parsed, tag: null, source: 'subject' })
    }
    for (const tag of cosignTags(digest)) {
      const target = await this.storage.manifests.resolve(repository, tag)
      if (target && !out.some((o) => o.digest.value === target.value)) out.push({ digest: target, tag, source: 'tag' })
    }
    return out
  }

  /** Where each referrer of a manifest sits: on it, on a platform of it, or in its index as a BuildKit attestation. */
  private async placements(repository: string, digest: Digest, info: ManifestInfo): Promise<{ digest: Digest; at: Placement }[]> {
    const out: { digest: Digest; at: Placement }[] = []
    for (const r of await this.direct(repository, digest)) out.push({ digest: r.digest, at: { source: r.source, subject: digest.value, platform: null, tag: r.tag } })
    const platforms = new Map(info.children.filter((c) => !c.attestation).map((c) => [c.digest, c.platform]))
    for (const child of info.children) {
      const d = digestOrNull(child.digest)
      if (!d) continue
      if (child.attestation) {
        const about = child.annotations?.['vnd.docker.reference.digest'] ?? digest.value
        out.push({ digest: d, at: { source: 'buildkit', subject: about, platform: platforms.get(about) ?? null, tag: null } })
      } else {
        for (const r of await this.direct(repository, d)) out.push({ digest: r.digest, at: { source: r.source, subject: d.value, platform: child.platform, tag: r.tag } })
      }
    }
    return out
  }

  async referrers(repository: string, reference: string): Promise<ReferrersResult> {
    const { digest, info } = await this.requireManifest(repository, reference)
    const items: Referrer[] = []
    for (const p of await this.placements(repository, digest, info)) {
      const m = await this.storage.inspector.manifest(p.digest)
      if (!m) continue
      items.push(...(await classify(this.reader, m, p.at)))
    }
    return { repository, digest: digest.value, items, deletable: (await this.closure(repository, digest)).length }
  }

  /**
   * Every manifest that would go with `digest` when it is deleted with its referrers: what names it
   * (or one of its platforms) by subject or cosign tag, and what names those, a few levels deep.
   * BuildKit attestations are children of the index and go the way its children go (collection).
   */
  async closure(repository: string, digest: Digest): Promise<Digest[]> {
    const found = new Map<string, Digest>()
    const visit = async (d: Digest, depth: number) => {
      if (depth > DEPTH_MAX) return
      const targets = [d]
      const info = await this.storage.inspector.manifest(d)
      for (const c of info?.children ?? []) {
        const cd = digestOrNull(c.digest)
        if (cd && !c.attestation) targets.push(cd)
      }
      for (const t of targets)
        for (const r of await this.direct(repository, t)) {
          if (found.has(r.digest.value) || r.digest.value === digest.value) continue
          found.set(r.digest.value, r.digest)
          await visit(r.digest, depth + 1)
        }
    }
    await visit(digest, 0)
    return [...found.values()]
  }

  async sbom(repository: string, input: { referrer: string; blob?: string; filter?: string; offset?: number; limit?: number }): Promise<SbomPage> {
    const { info } = await this.requireManifest(repository, input.referrer)
    const items = await classify(this.reader, info, { source: 'subject', subject: info.subject?.digest ?? '', platform: null, tag: null })
    const sboms = items.filter((i): i is Extract<Referrer, { kind: 'sbom' }> => i.kind === 'sbom')
    const item = input.blob ? sboms.find((s) => s.sbom.blob === input.blob) : sboms[0]
    if (!item) throw new BerthError('NOT_FOUND', `The manifest ${info.digest} of ${repository} holds no SBOM${input.blob ? ` in ${input.blob}` : ''}.`, { repository })
    const layer = info.layers.find((l) => l.digest === item.sbom.blob)!
    let doc
    try {
      doc = await this.reader.sbom(layer, item.sbom.format)
    } catch (err) {
      throw new BerthError('INVALID_INPUT', `The SBOM ${layer.digest} cannot be read: ${(err as Error).message}.`, { blob: layer.digest })
    }
    const matching = filterPackages(doc.packages, input.filter)
    const offset = input.offset ?? 0
    const limit = input.limit ?? 100
    return {
      format: doc.format,
      specVersion: doc.specVersion,
      name: doc.name,
      total: doc.packages.length,
      matching: matching.length,
      offset,
      packages: matching.slice(offset, offset + limit),
      licenses: licenceCounts(doc.packages),
      truncated: doc.truncated
    }
  }
}
