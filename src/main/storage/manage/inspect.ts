import { parseDigest, type Digest } from '@shared/reference'
import type { BlobStore } from '../core/blobs'
import { mediaTypeOf, parseJson, type Descriptor } from '../core/manifest-json'

// Reading what a stored manifest says, for people: its kind, layers, config, children, sizes.
// Manifests and configs are immutable, so everything here is cached by digest.

export interface ChildInfo extends Omit<Descriptor, 'platform'> {
  platform: { os: string; architecture: string; variant?: string } | null
  attestation: boolean
}

export interface ManifestInfo {
  digest: string
  mediaType: string
  kind: 'image' | 'index' | 'artifact'
  size: number
  json: Record<string, unknown>
  raw: string
  config: Descriptor | null
  layers: Descriptor[]
  children: ChildInfo[]
  subject: Descriptor | null
  artifactType: string | null
  annotations: Record<string, string>
}

export interface ConfigInfo {
  os: string | null
  architecture: string | null
  variant: string | null
  created: string | null
  env: string[]
  cmd: string[] | null
  entrypoint: string[] | null
  workingDir: string | null
  user: string | null
  exposedPorts: string[]
  labels: Record<string, string>
  history: { created: string | null; createdBy: string | null; emptyLayer: boolean; comment: string | null }[]
}

const IMAGE_CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'])
const CONFIG_MAX_BYTES = 8 * 1024 * 1024
const CACHE_LIMIT = 20_000

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null
}
function strings(v: unknown): string[] | null {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null
}
function descriptors(v: unknown): Descriptor[] {
  return Array.isArray(v) ? (v.filter((d) => typeof obj(d).digest === 'string') as Descriptor[]) : []
}
function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val
  return out
}

/** A least-recently-used cache: a read moves the entry to the back, the front goes when it is full. */
class Lru<V> {
  private readonly map = new Map<string, V>()
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    if (!this.map.has(key)) return undefined
    const value = this.map.get(key) as V
    this.map.delete(key)
    this.map.set(key, value)
    return value
  }
  set(key: string, value: V): void {
    this.map.delete(key)
    if (this.map.size >= this.limit) {
      const first = this.map.keys().next().value
      if (first !== undefined) this.map.delete(first)
    }
    this.map.set(key, value)
  }
}

export class Inspector {
  private readonly manifests = new Lru<ManifestInfo | null>(CACHE_LIMIT)
  private readonly configs = new Lru<ConfigInfo | null>(CACHE_LIMIT)

  constructor(private readonly blobs: BlobStore) {}

  async manifest(digest: Digest): Promise<ManifestInfo | null> {
    const cached = this.manifests.get(digest.value)
    if (cached !== undefined) return cached
    const bytes = await this.blobs.readBytes(digest)
    const info = bytes ? describeManifest(digest.value, bytes) : null
    if (bytes) this.manifests.set(digest.value, info)
    return info
  }

  async config(descriptor: Descriptor | null): Promise<ConfigInfo | null> {
    if (!descriptor || !IMAGE_CONFIG_TYPES.has(descriptor.mediaType) || descriptor.size > CONFIG_MAX_BYTES) return null
    const cached = this.configs.get(descriptor.digest)
    if (cached !== undefined) return cached
    const digest = parseDigest(descriptor.digest)
    if (typeof digest !== 'object') return null
    const bytes = await this.blobs.readBytes(digest)
    if (!bytes) return null
    const info = describeConfig(bytes)
    this.configs.set(descriptor.digest, info)
    return info
  }

  /**
   * Every blob and manifest a manifest reaches (itself, config, layers; an index's children,
   * recursively), by digest with size: what a tag keeps alive.
   */
  async reach(digest: Digest, into = new Map<string, number>(), depth = 0): Promise<Map<string, number>> {
    if (into.has(digest.value) || depth > 8) return into
    const info = await this.manifest(digest)
    if (!info) return into
    into.set(digest.value, info.size)
    if (info.config) into.set(info.config.digest, info.config.size)
    for (const l of info.layers) if (!(Array.isArray(l.urls) && l.urls.length > 0)) into.set(l.digest, l.size)
    for (const c of info.children) {
      const d = parseDigest(c.digest)
      if (typeof d === 'object') await this.reach(d, into, depth + 1)
    }
    return into
  }
}

export function describeManifest(digest: string, bytes: Buffer): ManifestInfo | null {
  let json: Record<string, unknown>
  try {
    json = parseJson(bytes)
  } catch {
    return null
  }
  const mediaType = mediaTypeOf(json)
  const config = typeof obj(json.config).digest === 'string' ? (json.config as Descriptor) : null
  const isIndex = Array.isArray(json.manifests)
  const artifactType = str(json.artifactType) ?? (config && !IMAGE_CONFIG_TYPES.has(config.mediaType) ? config.mediaType : null)
  const children: ChildInfo[] = descriptors(json.manifests).map((d) => {
    const p = obj(d.platform)
    const annotations = stringRecord(d.annotations)
    const platform =
      typeof p.os === 'string' && typeof p.architecture === 'string'
        ? { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) }
        : null
    const attestation =
      annotations['vnd.docker.reference.type'] === 'attestation-manifest' || (platform?.os === 'unknown' && platform.architecture === 'unknown')
    return { ...d, platform, attestation }
  })
  return {
    digest,
    mediaType,
    kind: isIndex ? 'index' : artifactType ? 'artifact' : 'image',
    size: bytes.length,
    json,
    raw: bytes.toString('utf8'),
    config,
    layers: descriptors(json.layers),
    children,
    subject: typeof obj(json.subject).digest === 'string' ? (json.subject as Descriptor) : null,
    artifactType,
    annotations: stringRecord(json.annotations)
  }
}

export function describeConfig(bytes: Buffer): ConfigInfo | null {
  let json: Record<string, unknown>
  try {
    json = parseJson(bytes)
  } catch {
    return null
  }
  const c = obj(json.config)
  return {
    os: str(json.os),
    architecture: str(json.architecture),
    variant: str(json.variant),
    created: str(json.created),
    env: strings(c.Env) ?? [],
    cmd: strings(c.Cmd),
    entrypoint: strings(c.Entrypoint),
    workingDir: str(c.WorkingDir) || null,
    user: str(c.User) || null,
    exposedPorts: Object.keys(obj(c.ExposedPorts)),
    labels: stringRecord(c.Labels),
    history: (Array.isArray(json.history) ? json.history : []).map((h) => {
      const e = obj(h)
      return { created: str(e.created), createdBy: str(e.created_by), emptyLayer: e.empty_layer === true, comment: str(e.comment) }
    })
  }
}
