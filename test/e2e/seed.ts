import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, putBlob, putManifest, sha256 } from '../helpers/oci-push'

// Test data for the window, made without Docker: a multi-platform index with BuildKit attestations
// pushed over the registry API, and thousands of repositories written straight into the data
// folder (Distribution's layout, see src/main/storage/paths.ts) before `serve` starts.

/**
 * Pushes `repo:tag` as an OCI index of linux/amd64 and linux/arm64 images, each with a BuildKit-style
 * attestation manifest (platform unknown/unknown, `vnd.docker.reference.type: attestation-manifest`).
 */
export async function pushMultiPlatformIndex(registry: string, repo: string, tag: string): Promise<string> {
  const children: unknown[] = []
  const attestations: unknown[] = []
  for (const architecture of ['amd64', 'arm64']) {
    const layer = await putBlob(registry, repo, gzipSync(randomBytes(48 * 1024)))
    const config = await putBlob(
      registry,
      repo,
      Buffer.from(
        JSON.stringify({
          architecture,
          os: 'linux',
          created: '2026-11-20T10:00:00Z',
          config: { Env: ['PATH=/usr/bin:/bin', 'APP_MODE=production'], Cmd: ['/app/server'], ExposedPorts: { '8080/tcp': {} }, Labels: { 'org.opencontainers.image.source': 'https://example.com/web' } },
          rootfs: { type: 'layers', diff_ids: [sha256(`${architecture}-diff`)] },
          history: [{ created: '2026-11-20T10:00:00Z', created_by: 'COPY server /app/server # buildkit' }]
        })
      )
    )
    const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...config }, layers: [{ mediaType: OCI_LAYER, ...layer }] }
    const body = JSON.stringify(manifest)
    const put = await putManifest(registry, repo, sha256(body), OCI_MANIFEST, manifest)
    children.push({ ...put, platform: { os: 'linux', architecture } })

    const statement = await putBlob(
      registry,
      repo,
      Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2', subject: [{ name: repo, digest: { sha256: put.digest.slice(7) } }] }))
    )
    const empty = await putBlob(registry, repo, Buffer.from('{}'))
    const att = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...empty }, layers: [{ mediaType: 'application/vnd.in-toto+json', ...statement, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }] }
    const attPut = await putManifest(registry, repo, sha256(JSON.stringify(att)), OCI_MANIFEST, att)
    attestations.push({
      ...attPut,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': put.digest }
    })
  }
  const index = await putManifest(registry, repo, tag, OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...children, ...attestations] })
  return index.digest
}

/**
 * Writes `count` repositories (`<prefix>-00001` …) into a data folder that no registry serves yet:
 * one shared tiny image, each repository linking it and tagging it `v1`.
 */
export async function seedRepositories(dataDir: string, count: number, options: { prefix?: string; tagsInFirst?: number } = {}): Promise<string[]> {
  const prefix = options.prefix ?? 'load/service'
  const v2 = join(dataDir, 'docker', 'registry', 'v2')
  const blob = async (bytes: Buffer) => {
    const digest = sha256(bytes)
    const hex = digest.slice(7)
    const dir = join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'data'), bytes)
    return { digest, hex, size: bytes.length }
  }
  const layer = await blob(gzipSync(Buffer.from('berth seed layer\n')))
  const config = await blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-11-01T00:00:00Z', config: {}, rootfs: { type: 'layers', diff_ids: [] } })))
  const manifest = await blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
        layers: [{ mediaType: OCI_LAYER, digest: layer.digest, size: layer.size }]
      })
    )
  )
  const names: string[] = []
  const link = async (path: string, digest: string) => {
    await mkdir(path, { recursive: true })
    await writeFile(join(path, 'link'), digest)
  }
  for (let i = 1; i <= count; i++) {
    const name = `${prefix}-${String(i).padStart(5, '0')}`
    names.push(name)
  }
  // A few at a time: thousands of small files, without thousands of open handles.
  for (let i = 0; i < names.length; i += 64) {
    await Promise.all(
      names.slice(i, i + 64).map(async (name) => {
        const repo = join(v2, 'repositories', ...name.split('/'))
        await link(join(repo, '_layers', 'sha256', layer.hex), layer.digest)
        await link(join(repo, '_layers', 'sha256', config.hex), config.digest)
        await link(join(repo, '_manifests', 'revisions', 'sha256', manifest.hex), manifest.digest)
        await link(join(repo, '_manifests', 'tags', 'v1', 'index', 'sha256', manifest.hex), manifest.digest)
        await link(join(repo, '_manifests', 'tags', 'v1', 'current'), manifest.digest)
      })
    )
  }
  // One repository with many tags (t0000 … ), all on the same manifest: a long tag list.
  const extra = options.tagsInFirst ?? 0
  if (extra > 0) {
    const repo = join(v2, 'repositories', ...names[0].split('/'))
    for (let i = 0; i < extra; i += 64) {
      await Promise.all(
        Array.from({ length: Math.min(64, extra - i) }, async (_, j) => {
          const tag = `t${String(i + j).padStart(4, '0')}`
          await link(join(repo, '_manifests', 'tags', tag, 'index', 'sha256', manifest.hex), manifest.digest)
          await link(join(repo, '_manifests', 'tags', tag, 'current'), manifest.digest)
        })
      )
    }
  }
  return names
}
