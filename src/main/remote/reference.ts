import { BerthError } from '@shared/errors'
import { isDigest, isValidName, isValidTag, NAME_RULE, splitImageParts, TAG_RULE } from '@shared/reference'

// Image references as the docker CLI reads them: `host[:port]/repo[:tag][@digest]` names a registry,
// a bare `repo[:tag]` names this Berth. The host rule is docker's: the first path component is a host
// when it holds "." or ":" or is "localhost".

/** Docker Hub: what `docker.io/x` means, where its API really is, and the key its credentials live under. */
export const DOCKER_HUB = {
  name: 'docker.io',
  apiHost: 'registry-1.docker.io',
  configKey: 'https://index.docker.io/v1/'
} as const

export interface ImageReference {
  /** `host[:port]`; null for this Berth. Docker Hub is `docker.io`. */
  registry: string | null
  repository: string
  tag: string | null
  digest: string | null
}

/** Whether the first component of `text` is a registry host (docker's rule). */
export function hasRegistryHost(text: string): boolean {
  return splitImageParts(text).registry !== null
}

/**
 * Parses and validates a reference; throws a BerthError (INVALID_INPUT) that says what is wrong.
 * Without tag or digest the tag is `defaultTag` (docker's `latest`; null leaves it open).
 */
export function parseImageReference(text: string, defaultTag: string | null = 'latest'): ImageReference {
  const parts = splitImageParts(text)
  const { digest } = parts
  let { tag } = parts
  if (digest !== null && !isDigest(digest)) throw new BerthError('INVALID_INPUT', `"${text}" has a digest that is not sha256:<64 hex digits>; check the reference.`)
  if (tag !== null && !isValidTag(tag)) throw new BerthError('INVALID_INPUT', `"${tag}" in "${text}" is not a tag: a tag is ${TAG_RULE}.`)
  let registry = parts.registry?.toLowerCase() ?? null
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB.name
  const repository = registry === DOCKER_HUB.name && !parts.path.includes('/') ? `library/${parts.path}` : parts.path
  if (!isValidName(repository)) throw new BerthError('INVALID_INPUT', `"${repository}" in "${text}" is not a repository name: it is ${NAME_RULE}.`)
  if (tag === null && digest === null) tag = defaultTag
  return { registry, repository, tag, digest }
}

/** The reference the registry API takes: the digest when there is one, else the tag. */
export function apiReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest'
}

export function formatReference(ref: ImageReference): string {
  const name = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository
  return `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}

/** Hosts Docker itself treats as insecure-allowed: loopback (plain HTTP is fine there). */
export function isLoopbackHost(registry: string): boolean {
  const host = hostOf(registry)
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** `host` of `host:port` (IPv6 literals in brackets lose them). */
export function hostOf(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'))
  const colon = registry.lastIndexOf(':')
  return colon > 0 && !registry.slice(0, colon).includes(':') ? registry.slice(0, colon) : registry
}

/** Where the registry's API is for a `host[:port]` name (Docker Hub's API is not at docker.io). */
export function apiHostOf(registry: string): string {
  return registry === DOCKER_HUB.name ? DOCKER_HUB.apiHost : registry
}
