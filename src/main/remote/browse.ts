import { BerthError } from '@shared/errors'
import type { ManifestDetail } from '@shared/model/catalog'
import type { RemoteRepositories, RemoteTagSummary } from '@shared/model/remote'
import { describeConfig, describeManifest } from '../storage/manage/inspect'
import { mapLimit } from '../storage/core/files'
import type { RegistryClient } from './client'
import { readBody } from './transport'

// Browsing another registry in the shapes the local catalog uses (catalog.repositories, tags,
// manifest), so the window shows both with the same views.

export async function remoteRepositories(client: RegistryClient, filter = '', last?: string, limit = 1000): Promise<RemoteRepositories> {
  const page = await client.catalog(limit, last)
  if (!page)
    return {
      browse: 'by-name',
      items: [],
      next: null,
      message: `${client.registry} does not list its repositories (no _catalog, as Docker Hub and GHCR); type a repository name to browse it.`
    }
  const needle = filter.trim().toLowerCase()
  return { browse: 'catalog', items: page.repositories.filter((n) => n.includes(needle)).map((name) => ({ name })), next: page.next, message: null }
}

export async function remoteTags(client: RegistryClient, repository: string): Promise<RemoteTagSummary[]> {
  const tags = await client.tags(repository)
  const rows = await mapLimit(tags, 6, async (tag): Promise<RemoteTagSummary | null> => {
    const m = await client.manifest(repository, tag)
    if (!m) return null
    const info = describeManifest(m.digest, m.bytes)
    if (!info) return null
    const blobs = [...(info.config ? [info.config] : []), ...info.layers]
    const size = info.size + blobs.reduce((s, b) => s + b.size, 0) + info.children.reduce((s, c) => s + c.size, 0)
    return {
      tag,
      digest: m.digest,
      mediaType: m.mediaType,
      kind: info.kind,
      size,
      created: null,
      pushedAt: null,
      platforms: info.children.filter((c) => !c.attestation && c.platform).map((c) => c.platform!),
      attestations: info.children.filter((c) => c.attestation).length
    }
  })
  return rows.filter((r): r is RemoteTagSummary => r !== null).sort((a, b) => a.tag.localeCompare(b.tag))
}

export async function remoteManifest(client: RegistryClient, repository: string, reference: string): Promise<ManifestDetail> {
  const m = await client.manifest(repository, reference)
  if (!m) throw new BerthError('NOT_FOUND', `${client.registry}/${repository} has no manifest ${reference}.`, { repository, reference })
  const info = describeManifest(m.digest, m.bytes)
  if (!info) throw new BerthError('REMOTE_FAILED', `${client.registry} sent a manifest for ${repository}:${reference} that is not JSON.`)
  let image = null
  if (info.config && info.config.size <= 8 << 20 && info.kind === 'image') {
    const blob = await client.openBlob(repository, info.config.digest)
    image = describeConfig(await readBody(blob.stream, 8 << 20))
  }
  return {
    repository,
    digest: m.digest,
    mediaType: m.mediaType,
    kind: info.kind,
    size: info.size,
    artifactType: info.artifactType,
    subject: info.subject ? { mediaType: info.subject.mediaType, digest: info.subject.digest, size: info.subject.size } : null,
    annotations: info.annotations,
    tags: reference.includes(':') ? [] : [reference],
    layers: info.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations ? { annotations: l.annotations } : {}) })),
    config: info.config ? { mediaType: info.config.mediaType, digest: info.config.digest, size: info.config.size } : null,
    image,
    children: info.children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size, platform: c.platform, attestation: c.attestation })),
    raw: info.raw
  }
}
