import { createHash } from 'node:crypto'

// Raw registry API calls (fetch), the same against Berth and Distribution: pushing blobs and
// manifests by hand, and reading a whole registry back with every byte checked against its digest.

export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip'
} as const

/** Every manifest type, for Accept. */
export const ACCEPT_ALL = [MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerList, MediaTypes.dockerManifest].join(', ')

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Absolute URL for a Location header (registries may answer relative or absolute). */
function resolveLocation(base: string, location: string | null): string {
  if (!location) throw new Error('no Location header')
  return new URL(location, base).toString()
}

/** POST then monolithic PUT ?digest=; throws unless 201. Returns the digest. */
export async function pushBlob(url: string, name: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes)
  const start = await fetch(`${url}/v2/${name}/blobs/uploads/`, { method: 'POST' })
  if (start.status !== 202) throw new Error(`POST upload for ${name}: ${start.status} ${await start.text()}`)
  const location = new URL(resolveLocation(url, start.headers.get('location')))
  location.searchParams.set('digest', digest)
  const put = await fetch(location, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })
  if (put.status !== 201) throw new Error(`PUT blob ${digest} to ${name}: ${put.status} ${await put.text()}`)
  return digest
}

/** PUT a manifest (by tag or digest); throws unless 201. Returns the digest the registry reports. */
export async function pushManifest(url: string, name: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
  const res = await fetch(`${url}/v2/${name}/manifests/${reference}`, { method: 'PUT', body: bytes, headers: { 'Content-Type': mediaType } })
  if (res.status !== 201) throw new Error(`PUT manifest ${name}:${reference}: ${res.status} ${await res.text()}`)
  return res.headers.get('docker-content-digest') ?? sha256(bytes)
}

export async function getJson<T>(url: string, accept?: string): Promise<T> {
  const res = await fetch(url, accept ? { headers: { Accept: accept } } : {})
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

export async function catalog(url: string): Promise<string[]> {
  return (await getJson<{ repositories: string[] }>(`${url}/v2/_catalog`)).repositories
}

export async function tags(url: string, name: string): Promise<string[]> {
  return ((await getJson<{ tags: string[] | null }>(`${url}/v2/${name}/tags/list`)).tags ?? []).slice().sort()
}

export interface FetchedManifest {
  status: number
  digest: string | null
  mediaType: string | null
  bytes: Buffer
}

export async function getManifest(url: string, name: string, reference: string, method: 'GET' | 'HEAD' = 'GET'): Promise<FetchedManifest> {
  const res = await fetch(`${url}/v2/${name}/manifests/${reference}`, { method, headers: { Accept: ACCEPT_ALL } })
  return {
    status: res.status,
    digest: res.headers.get('docker-content-digest'),
    mediaType: (res.headers.get('content-type') ?? '').split(';')[0] || null,
    bytes: Buffer.from(await res.arrayBuffer())
  }
}

/** `{ repository: { tag: manifest digest } }` for the whole registry, as its API reports it. */
export type Snapshot = Record<string, Record<string, string>>

export async function snapshot(url: string): Promise<Snapshot> {
  const out: Snapshot = {}
  for (const name of await catalog(url)) {
    out[name] = {}
    for (const tag of await tags(url, name)) {
      const m = await getManifest(url, name, tag, 'HEAD')
      if (m.status !== 200) throw new Error(`${url}: ${name}:${tag} is listed but HEAD says ${m.status}`)
      out[name][tag] = m.digest!
    }
  }
  return out
}

/**
 * Reads a manifest by digest and everything under it (an index's children, an image's config and
 * layers) through the API, checking each body against its digest and size. Returns how many
 * manifests and blobs were checked; throws on the first mismatch or error status.
 */
export async function verifyContent(url: string, name: string, digest: string): Promise<{ manifests: number; blobs: number }> {
  const counts = { manifests: 0, blobs: 0 }
  async function manifest(d: string, expectedType?: string): Promise<void> {
    const m = await getManifest(url, name, d)
    if (m.status !== 200) throw new Error(`${url}: manifest ${name}@${d} answered ${m.status}: ${m.bytes.toString().slice(0, 300)}`)
    if (sha256(m.bytes) !== d) throw new Error(`${url}: manifest ${name}@${d} has bytes hashing to ${sha256(m.bytes)}`)
    if (m.digest !== d) throw new Error(`${url}: manifest ${name}@${d} is served with Docker-Content-Digest ${m.digest}`)
    if (expectedType && m.mediaType !== expectedType) throw new Error(`${url}: manifest ${name}@${d} is served as ${m.mediaType}, its descriptor says ${expectedType}`)
    counts.manifests++
    const json = JSON.parse(m.bytes.toString()) as { manifests?: Desc[]; config?: Desc; layers?: Desc[] }
    for (const child of json.manifests ?? []) await manifest(child.digest, child.mediaType)
    for (const b of [...(json.config ? [json.config] : []), ...(json.layers ?? [])]) await blob(b)
  }
  type Desc = { digest: string; size: number; mediaType: string }
  async function blob(desc: Desc): Promise<void> {
    const res = await fetch(`${url}/v2/${name}/blobs/${desc.digest}`)
    const bytes = Buffer.from(await res.arrayBuffer())
    if (res.status !== 200) throw new Error(`${url}: blob ${name}@${desc.digest} answered ${res.status}`)
    if (sha256(bytes) !== desc.digest || bytes.length !== desc.size)
      throw new Error(`${url}: blob ${name}@${desc.digest} holds ${bytes.length} bytes hashing to ${sha256(bytes)} (descriptor: ${desc.size})`)
    counts.blobs++
  }
  await manifest(digest)
  return counts
}

/** verifyContent for every tag of a snapshot. */
export async function verifyAll(url: string, snap: Snapshot): Promise<{ manifests: number; blobs: number }> {
  const total = { manifests: 0, blobs: 0 }
  for (const [name, tagMap] of Object.entries(snap)) {
    for (const digest of new Set(Object.values(tagMap))) {
      const c = await verifyContent(url, name, digest)
      total.manifests += c.manifests
      total.blobs += c.blobs
    }
  }
  return total
}

/** A registry error body's first code (or null). */
export async function errorCode(res: Response): Promise<string | null> {
  try {
    const body = (await res.json()) as { errors?: { code: string }[] }
    return body.errors?.[0]?.code ?? null
  } catch {
    return null
  }
}
