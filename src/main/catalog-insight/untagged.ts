import type { UntaggedManifest } from '@shared/model/insight'
import { digestOrNull, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import { statOrNull, mapLimit } from '../storage/core/files'
import { paths } from '../storage/core/paths'

/**
 * The manifests of a repository no tag reaches: images pushed by digest, or left behind when their
 * tag moved on. An untagged index's own children, and anything naming a manifest the repository
 * holds (signatures, SBOMs, attestations: shown on what they are about), are left out.
 */
export async function untaggedManifests(storage: Storage, repository: string): Promise<UntaggedManifest[]> {
  const inspector = storage.inspector
  const [revisions, tags] = await Promise.all([storage.repos.revisions(repository), storage.repos.tags(repository)])
  const tagged = new Map<string, number>()
  for (const tag of tags ?? []) {
    const d = await storage.repos.resolveTag(repository, tag)
    if (d) await inspector.reach(d, tagged)
  }
  const held = new Set(revisions.map((r) => r.value))
  const candidates: Digest[] = []
  for (const r of revisions) {
    if (tagged.has(r.value)) continue
    const info = await inspector.manifest(r)
    if (info?.subject && held.has(info.subject.digest)) continue
    candidates.push(r)
  }
  // Children of an untagged index are part of it.
  const children = new Set<string>()
  for (const c of candidates) for (const child of (await inspector.manifest(c))?.children ?? []) children.add(child.digest)

  const rows = await mapLimit(
    candidates.filter((c) => !children.has(c.value)),
    8,
    async (digest): Promise<UntaggedManifest | null> => {
      const info = await inspector.manifest(digest)
      if (!info) return null
      let size = 0
      for (const s of (await inspector.reach(digest)).values()) size += s
      let created = info.kind === 'index' ? null : ((await inspector.config(info.config))?.created ?? null)
      if (info.kind === 'index')
        for (const child of info.children.filter((c) => !c.attestation)) {
          const d = digestOrNull(child.digest)
          const m = d ? await inspector.manifest(d) : null
          const c = m ? (await inspector.config(m.config))?.created : null
          if (c && (!created || c > created)) created = c
        }
      const link = await statOrNull(paths.revisionLink(storage.layout, repository, digest))
      return {
        digest: digest.value,
        mediaType: info.mediaType,
        kind: info.kind,
        artifactType: info.artifactType,
        size,
        created,
        pushedAt: link?.mtime.toISOString() ?? null,
        platforms: info.children.filter((c) => !c.attestation && c.platform).map((c) => c.platform!)
      }
    }
  )
  return rows.filter((r): r is UntaggedManifest => r !== null).sort((a, b) => (b.pushedAt ?? '').localeCompare(a.pushedAt ?? ''))
}
