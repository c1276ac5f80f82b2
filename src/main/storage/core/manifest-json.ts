import { parseDigest, type Digest } from '@shared/reference'

// What Berth needs to know of a manifest's JSON: its media type, the blobs and manifests it
// references, its subject and artifact type. The bytes themselves are never rewritten.

export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json'
} as const

const IMAGE_TYPES = new Set<string>([MediaType.dockerManifest, MediaType.ociManifest])
const INDEX_TYPES = new Set<string>([MediaType.dockerList, MediaType.ociIndex])
const SCHEMA1_TYPES = new Set<string>([MediaType.dockerSchema1, MediaType.dockerSchema1Signed])
/** Content-Types that say nothing about the manifest; the body's mediaType decides. */
const GENERIC_TYPES = new Set(['', 'application/json', 'application/octet-stream', 'text/plain'])

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
  urls?: string[]
  platform?: Record<string, unknown>
}

export interface ParsedManifest {
  mediaType: string
  kind: 'image' | 'index'
  /** Blobs the repository must hold (config and layers, except foreign layers served from `urls`). */
  blobs: Digest[]
  /** Manifests the repository must hold (an index's children). */
  manifests: Digest[]
  subject?: Descriptor
  /** `artifactType`, or for an image manifest without one, its config's media type (the referrers API's rule). */
  artifactType?: string
  annotations?: Record<string, string>
  json: Record<string, unknown>
}

export class ManifestError extends Error {
  constructor(
    readonly reason: 'invalid' | 'unsupported',
    message: string
  ) {
    super(message)
  }
}

function essence(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase()
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new ManifestError('invalid', `${where} is not a descriptor object`)
  const { mediaType, digest, size } = v
  if (typeof mediaType !== 'string' || mediaType === '') throw new ManifestError('invalid', `${where}.mediaType is missing`)
  if (typeof digest !== 'string' || typeof parseDigest(digest) !== 'object')
    throw new ManifestError('invalid', `${where}.digest is not a valid digest`)
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new ManifestError('invalid', `${where}.size must be a non-negative integer`)
  return v as unknown as Descriptor
}

/** The media type a stored manifest is served with: its own `mediaType`, else what its shape says. */
export function mediaTypeOf(json: Record<string, unknown>): string {
  if (typeof json.mediaType === 'string' && json.mediaType !== '') return json.mediaType
  if (json.schemaVersion === 1) return json.signatures ? MediaType.dockerSchema1Signed : MediaType.dockerSchema1
  if (Array.isArray(json.manifests)) return MediaType.ociIndex
  return MediaType.ociManifest
}

export function parseJson(bytes: Uint8Array): Record<string, unknown> {
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    throw new ManifestError('invalid', 'the manifest is not valid JSON')
  }
  if (!isObject(json)) throw new ManifestError('invalid', 'the manifest is not a JSON object')
  return json
}

/**
 * Parses a manifest as PUT by a client. `contentType` is the request's Content-Type; when it names a
 * manifest type, a differing `mediaType` in the body is refused (the bytes could not be served truthfully).
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  const json = parseJson(bytes)
  const declared = essence(contentType)
  const own = typeof json.mediaType === 'string' ? json.mediaType : undefined
  if (own !== undefined && !GENERIC_TYPES.has(declared) && own !== declared)
    throw new ManifestError('invalid', `the Content-Type ${declared} differs from the manifest's mediaType ${own}`)
  const mediaType = own ?? (GENERIC_TYPES.has(declared) ? mediaTypeOf(json) : declared)

  // CVE-2021-41190: a document that reads as an image manifest to one client and as an index to
  // another could be pulled as two different images under one digest. Each kind carries only its own
  // fields (as Distribution and the OCI image-spec since 1.0.2 require).
  const present = (key: string) => json[key] !== undefined && json[key] !== null
  if (INDEX_TYPES.has(mediaType) && (present('config') || present('layers')))
    throw new ManifestError('invalid', `an index (${mediaType}) must not carry "config" or "layers": the document is ambiguous`)
  if (IMAGE_TYPES.has(mediaType) && present('manifests'))
    throw new ManifestError('invalid', `an image manifest (${mediaType}) must not carry "manifests": the document is ambiguous`)

  if (SCHEMA1_TYPES.has(mediaType) || json.schemaVersion === 1)
    throw new ManifestError('unsupported', 'Docker image manifest schema 1 is deprecated and not accepted; push with a current client (schema 2 or OCI)')
  if (json.schemaVersion !== 2) throw new ManifestError('invalid', 'schemaVersion must be 2')

  const annotations = isObject(json.annotations) ? (json.annotations as Record<string, string>) : undefined
  const subject = json.subject === undefined ? undefined : descriptor(json.subject, 'subject')
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined

  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(json.manifests)) throw new ManifestError('invalid', 'an index needs a "manifests" array')
    const children = json.manifests.map((m, i) => descriptor(m, `manifests[${i}]`))
    return {
      mediaType,
      kind: 'index',
      blobs: [],
      manifests: children.map((c) => parseDigest(c.digest) as Digest),
      subject,
      artifactType,
      annotations,
      json
    }
  }
  if (IMAGE_TYPES.has(mediaType)) {
    const config = descriptor(json.config, 'config')
    if (!Array.isArray(json.layers)) throw new ManifestError('invalid', 'an image manifest needs a "layers" array')
    const layers = json.layers.map((l, i) => descriptor(l, `layers[${i}]`))
    // Foreign (non-distributable) layers live at their `urls`, not in this registry.
    const local = layers.filter((l) => !(Array.isArray(l.urls) && l.urls.length > 0))
    return {
      mediaType,
      kind: 'image',
      blobs: [config, ...local].map((d) => parseDigest(d.digest) as Digest),
      manifests: [],
      subject,
      artifactType: artifactType ?? config.mediaType,
      annotations,
      json
    }
  }
  throw new ManifestError('invalid', `unsupported manifest media type "${mediaType}"`)
}

/** What a stored manifest reports to the referrers API (never throws on odd manifests written by others). */
export function describeStored(bytes: Uint8Array): Omit<ParsedManifest, 'blobs' | 'manifests' | 'kind' | 'json'> | null {
  try {
    const json = parseJson(bytes)
    const mediaType = mediaTypeOf(json)
    const subject = isObject(json.subject) ? (json.subject as unknown as Descriptor) : undefined
    const configType = isObject(json.config) && typeof json.config.mediaType === 'string' ? json.config.mediaType : undefined
    const artifactType = typeof json.artifactType === 'string' ? json.artifactType : configType
    const annotations = isObject(json.annotations) ? (json.annotations as Record<string, string>) : undefined
    return { mediaType, subject, artifactType, annotations }
  } catch {
    return null
  }
}
