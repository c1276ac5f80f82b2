import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CatalogService } from '../../src/main/service/catalog'
import { startBerth, type RunningBerth } from '../helpers/berth'
import { OCI_INDEX, OCI_MANIFEST, sha } from '../helpers/registry-api'

// The Platforms tab of a multi-arch index shows each platform's image size (manifest + config +
// layers), not the size of its manifest (issue 14, defect 7): catalog.manifest's children carry it.

describe('multi-arch sizes', () => {
  let b: RunningBerth
  beforeAll(async () => {
    b = await startBerth()
  })
  afterAll(async () => {
    await b?.close()
    await rm(b.dataDir, { recursive: true, force: true })
  })

  const blob = async (repo: string, bytes: Buffer) => {
    const r = await fetch(`${b.url}/v2/${repo}/blobs/uploads/?digest=${sha(bytes)}`, { method: 'POST', body: bytes })
    expect(r.status).toBe(201)
    return { digest: sha(bytes), size: bytes.length }
  }
  const manifest = async (repo: string, ref: string, mediaType: string, body: object) => {
    const bytes = Buffer.from(JSON.stringify(body))
    const r = await fetch(`${b.url}/v2/${repo}/manifests/${ref}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body: bytes })
    expect(r.status).toBe(201)
    return { digest: sha(bytes), size: bytes.length }
  }

  it('each platform child carries manifest + config + layers', async () => {
    const repo = 'multi/app'
    const children = []
    const expected: number[] = []
    for (const [arch, layerBytes] of [['amd64', 300_000], ['arm64', 700_000]] as const) {
      const config = await blob(repo, Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })))
      const layer = await blob(repo, randomBytes(layerBytes))
      const m = await manifest(repo, `${arch}-only`, OCI_MANIFEST, {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }]
      })
      children.push({ mediaType: OCI_MANIFEST, ...m, platform: { architecture: arch, os: 'linux' } })
      expected.push(m.size + config.size + layer.size)
    }
    await manifest(repo, '1', OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: children })

    const detail = await new CatalogService(b.storage).manifest(repo, '1')
    expect(detail.children.map((c) => c.size)).toEqual(children.map((c) => c.size))
    expect(detail.children.map((c) => c.imageSize)).toEqual(expected)
    expect(detail.children[1].imageSize).toBeGreaterThan(700_000)
  })
})
