import { createHash } from 'node:crypto'

// Pushing content through a registry's HTTP API, as any client does: blobs by monolithic upload,
// manifests by tag or digest. For test data that needs no Docker.

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json'

export interface Pushed {
  digest: string
  size: number
}

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`

export async function putBlob(registry: string, repo: string, body: Buffer | string): Promise<Pushed> {
  const bytes = Buffer.from(body)
  const digest = sha256(bytes)
  const start = await fetch(`${registry}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`)
  const location = new URL(start.headers.get('location')!, registry)
  location.searchParams.set('digest', digest)
  const put = await fetch(location, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })
  if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`)
  return { digest, size: bytes.length }
}

/** Pushes a manifest by tag, or by its own digest when `reference` is null. */
export async function putManifest(registry: string, repo: string, reference: string | null, mediaType: string, manifest: unknown): Promise<Pushed & { mediaType: string }> {
  const body = Buffer.from(JSON.stringify(manifest))
  const res = await fetch(`${registry}/v2/${repo}/manifests/${reference ?? sha256(body)}`, { method: 'PUT', body, headers: { 'Content-Type': mediaType } })
  if (res.status !== 201) throw new Error(`manifest ${repo}:${reference}: ${res.status} ${await res.text()}`)
  return { digest: sha256(body), size: body.length, mediaType }
}
