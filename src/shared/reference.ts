// Names, tags and digests as the OCI distribution-spec defines them. Pure: used by the registry,
// the service and the renderer alike, so a rule is stated once.

/** One path component of a repository name, e.g. `team` or `my-app`. */
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*'
export const NAME_PATTERN = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`)
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/
/** Distribution refuses longer names; so do we (it also keeps paths far below PATH_MAX). */
export const NAME_MAX_LENGTH = 255

export const NAME_RULE =
  'lowercase letters and digits, separated by ".", "_", "__" or dashes, in components joined by "/" (at most 255 characters), e.g. team/my-app'
export const TAG_RULE = 'letters, digits, "_", "." and "-", not starting with "." or "-", at most 128 characters, e.g. v1.2'

export function isValidName(name: string): boolean {
  return name.length <= NAME_MAX_LENGTH && NAME_PATTERN.test(name)
}

export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag)
}

/** What is wrong with a repository name, as a sentence for the person typing it; null when it is fine. */
export function repositoryProblem(name: string): string | null {
  if (name === '') return 'Name the repository, e.g. team/app.'
  return isValidName(name) ? null : `A repository name is ${NAME_RULE}.`
}

/** What is wrong with a tag, as a sentence for the person typing it; null when it is fine. */
export function tagProblem(tag: string): string | null {
  if (tag === '') return 'Give a tag, e.g. 1.0 or latest.'
  return isValidTag(tag) ? null : `A tag is ${TAG_RULE}.`
}

export type DigestAlgorithm = 'sha256' | 'sha512'
export const DIGEST_HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 }

export interface Digest {
  algorithm: DigestAlgorithm
  hex: string
  /** `algorithm:hex`, the canonical string. */
  value: string
}

const DIGEST_SHAPE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/

export type DigestProblem = 'malformed' | 'unsupported'

/** Parses `sha256:<64 hex>` or `sha512:<128 hex>`; says whether anything else is malformed or just unsupported. */
export function parseDigest(text: string): Digest | DigestProblem {
  const m = DIGEST_SHAPE.exec(text)
  if (!m) return 'malformed'
  const algorithm = m[1] as DigestAlgorithm
  const hex = m[2]
  const length = DIGEST_HEX_LENGTH[algorithm]
  if (length === undefined || !Object.hasOwn(DIGEST_HEX_LENGTH, algorithm)) return 'unsupported'
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) return 'malformed'
  return { algorithm, hex, value: text }
}

export function isDigest(text: string): boolean {
  return typeof parseDigest(text) === 'object'
}

/** A digest, or null for anything else (a tag, a malformed digest). */
export function digestOrNull(text: string): Digest | null {
  const d = parseDigest(text)
  return typeof d === 'object' ? d : null
}

/** `host/repository:tag` or `host/repository@digest`, as docker, skopeo and podman take it. */
export function formatReference(host: string, repository: string, reference: string): string {
  return `${host}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`
}

/**
 * The raw parts of an image reference as docker reads it, unvalidated: `registry` is the first path
 * component when it holds "." or ":" or is "localhost" (docker's host rule), else null.
 */
export function splitImageParts(text: string): { registry: string | null; path: string; tag: string | null; digest: string | null } {
  let rest = text.trim()
  let digest: string | null = null
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  let tag: string | null = null
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
  }
  const slash = rest.indexOf('/')
  const first = slash < 0 ? '' : rest.slice(0, slash)
  if (slash > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) return { registry: first, path: rest.slice(slash + 1), tag, digest }
  return { registry: null, path: rest, tag, digest }
}

/**
 * Splits an image reference as docker reads it, without validating the parts:
 * `localhost:5000/team/app:1.2@sha256:…` → team/app, 1.2, sha256:…. A first component holding "." or
 * ":" or equal to "localhost" is a registry host and is dropped; Docker Hub's `docker.io/library/x` is `x`.
 */
export function splitImageReference(text: string): { repository: string; tag: string | null; digest: string | null } {
  const { registry, path, tag, digest } = splitImageParts(text)
  const repository = registry === 'docker.io' && path.startsWith('library/') && path.split('/').length > 1 ? path.slice('library/'.length) : path
  return { repository, tag, digest }
}
