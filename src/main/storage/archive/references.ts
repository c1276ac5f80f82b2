import { BerthError } from '@shared/errors'
import { isValidName, isValidTag, NAME_RULE, parseDigest, splitImageReference, TAG_RULE, type Digest } from '@shared/reference'

// Image names as people and archives write them: `team/app:1`, `team/app@sha256:…`, `team/app`,
// `localhost:5000/team/app:1`, `docker.io/library/busybox:latest`. Pure.

export interface ImageName {
  repository: string
  tag: string | null
  digest: Digest | null
}

/**
 * Splits a reference into repository, tag and digest, dropping a registry host: the first component
 * is a host when it holds a "." or ":" or is "localhost" (Docker's rule), so `localhost:5000/team/app:1`
 * names `team/app:1` here. Docker Hub's `docker.io/library/x` becomes `x`, as `docker save` writes it.
 * Returns a sentence saying what is wrong instead of throwing.
 */
export function parseImageName(text: string): ImageName | string {
  const split = splitImageReference(text)
  let digest: Digest | null = null
  if (split.digest !== null) {
    const parsed = parseDigest(split.digest)
    if (typeof parsed !== 'object') return `"${text}" has a malformed digest after "@" (expected sha256:<64 hex digits>)`
    digest = parsed
  }
  if (split.tag !== null && !isValidTag(split.tag)) return `"${text}" has an invalid tag "${split.tag}": tags use ${TAG_RULE}`
  if (!isValidName(split.repository)) return `"${text}" is not a valid image name: repository names use ${NAME_RULE}`
  return { repository: split.repository, tag: split.tag, digest }
}

/** parseImageName that throws INVALID_INPUT. */
export function imageNameOrThrow(text: string): ImageName {
  const name = parseImageName(text)
  if (typeof name === 'string') throw new BerthError('INVALID_INPUT', `${name}.`)
  return name
}

export function formatImageName(repository: string, tag: string | null, digest?: string | null): string {
  if (tag) return `${repository}:${tag}`
  return digest ? `${repository}@${digest}` : repository
}
