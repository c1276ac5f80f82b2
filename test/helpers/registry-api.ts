import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import { startBerth, type RunningBerth } from './berth'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const EMPTY_JSON = Buffer.from('{}')

export const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

export let b: RunningBerth
beforeAll(async () => {
  b = await startBerth()
})
afterAll(async () => {
  await b.close()
})

export function req(path: string, init: RequestInit = {}) {
  return fetch(`${b.url}${path}`, { redirect: 'manual', ...init })
}

export async function errorsOf(res: Response): Promise<string[]> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as { errors: { code: string; message: string }[] }
  for (const e of body.errors) expect(typeof e.message).toBe('string')
  return body.errors.map((e) => e.code)
}

export async function pushBlob(name: string, bytes: Uint8Array): Promise<string> {
  const digest = sha(bytes)
  const res = await req(`/v2/${name}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    body: bytes,
    headers: { 'Content-Type': 'application/octet-stream' }
  })
  expect(res.status).toBe(201)
  return digest
}

export function imageManifest(config: string, layers: { digest: string; size: number }[], extra: Record<string, unknown> = {}) {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
      ...extra
    })
  )
}

export async function pushImage(name: string, tag: string, extra: Record<string, unknown> = {}) {
  const layer = randomBytes(1000)
  const config = await pushBlob(name, EMPTY_JSON)
  const layerDigest = await pushBlob(name, layer)
  const manifest = imageManifest(config, [{ digest: layerDigest, size: layer.length }], extra)
  const res = await req(`/v2/${name}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': OCI_MANIFEST } })
  expect(res.status).toBe(201)
  return { manifest, digest: sha(manifest), layer, layerDigest, res }
}
