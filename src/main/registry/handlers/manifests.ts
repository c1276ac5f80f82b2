import { isValidTag, parseDigest, type Digest } from '@shared/reference'
import { DigestMismatchError, ManifestError, MissingReferencesError } from '../../storage'
import { BodyTooLargeError, readBounded } from '../http'
import { RegistryError } from '../errcode'
import { notFound, reply, validDigest, type RequestContext } from '../context'
import { ensureRoom } from '../failure'

// GET / HEAD / PUT / DELETE /v2/<name>/manifests/<reference>

/** Distribution's limit too: a manifest is metadata, 4 MiB is far more than any real one needs. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024

type Reference = { tag: string; digest?: undefined } | { digest: Digest; tag?: undefined }

function parseReference(text: string): Reference {
  if (text.includes(':')) return { digest: validDigest(text) }
  if (!isValidTag(text))
    throw new RegistryError('TAG_INVALID', { tag: text.slice(0, 300) }, 'invalid tag: letters, digits, "_", "." and "-", at most 128, not starting with "." or "-"')
  return { tag: text }
}

/**
 * The reference of a GET, HEAD or DELETE. No manifest can be stored under a name that is not a tag,
 * so asking for one is "not found" (404), as the spec's end-3/end-9 and its conformance suite
 * (`.INVALID_MANIFEST_NAME`) expect; only a PUT is told its tag is invalid.
 */
async function lookupReference(ctx: RequestContext): Promise<Reference> {
  if (ctx.param.includes(':') || isValidTag(ctx.param)) return parseReference(ctx.param)
  throw await notFound(ctx, 'MANIFEST_UNKNOWN', { tag: ctx.param.slice(0, 300) })
}

/** Media types an `Accept` header allows; null when it allows anything. */
function acceptable(header: string | undefined): Set<string> | null {
  if (!header) return null
  const types = new Set<string>()
  for (const part of header.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    if (!type || params.some((p) => /^q=0(\.0*)?$/.test(p))) continue
    // `application/json` is what generic HTTP tools send; it never meant "not a manifest".
    if (type === '*/*' || type === 'application/*' || type === 'application/json') return null
    types.add(type)
  }
  return types.size > 0 ? types : null
}

export async function getManifest(ctx: RequestContext): Promise<void> {
  const ref = await lookupReference(ctx)
  await ctx.pullThrough?.manifest(ctx.name, ctx.param, ctx.req.headers.accept)
  const manifest = await ctx.storage.manifests.get(ctx.name, ref.tag ?? ref.digest)
  if (!manifest) throw await notFound(ctx, 'MANIFEST_UNKNOWN', ref.tag !== undefined ? { tag: ref.tag } : { digest: ref.digest.value })
  const accept = acceptable(ctx.req.headers.accept)
  // The stored bytes are never converted, so a client that cannot take this type is told it is not here in a form it reads.
  if (accept && !accept.has(manifest.mediaType))
    throw new RegistryError('MANIFEST_UNKNOWN', { mediaType: manifest.mediaType, accept: ctx.req.headers.accept },
      `the manifest is ${manifest.mediaType}, which the Accept header does not allow`)
  ctx.res.writeHead(200, {
    'Content-Type': manifest.mediaType,
    'Content-Length': manifest.bytes.length,
    'Docker-Content-Digest': manifest.digest.value,
    ETag: `"${manifest.digest.value}"`
  })
  ctx.res.end(ctx.head ? undefined : manifest.bytes)
}

/**
 * The `tag` query parameters of a push by digest (the distribution-spec's "pushing tags", end-7b):
 * every one valid, at most MAX_PUSH_TAGS (the spec asks for at least 10; more is 414). A push by tag
 * takes none, as the spec defines them for digests only.
 */
function pushTags(ctx: RequestContext, ref: Reference): string[] {
  const given = ctx.query.getAll('tag')
  if (given.length === 0 || ref.digest === undefined) return []
  if (given.length > MAX_PUSH_TAGS)
    throw new RegistryError('TOO_MANY_TAGS', { given: given.length, limit: MAX_PUSH_TAGS }, `at most ${MAX_PUSH_TAGS} tags can be pushed at once; push the rest in another request`)
  for (const tag of given)
    if (!isValidTag(tag))
      throw new RegistryError('TAG_INVALID', { tag: tag.slice(0, 300) }, 'invalid tag: letters, digits, "_", "." and "-", at most 128, not starting with "." or "-"')
  return [...new Set(given)]
}

export const MAX_PUSH_TAGS = 100

export async function putManifest(ctx: RequestContext): Promise<void> {
  const ref = parseReference(ctx.param)
  const tags = pushTags(ctx, ref)
  let bytes: Buffer
  try {
    bytes = await readBounded(ctx.req, MANIFEST_MAX_BYTES)
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err
    // The rest of the body is read and dropped after the answer (see failure.ts), so the client sees the 413.
    throw new RegistryError('MANIFEST_TOO_BIG', { limit: MANIFEST_MAX_BYTES }, `manifests are limited to ${MANIFEST_MAX_BYTES} bytes`)
  }
  await ensureRoom(ctx.storage, bytes.length)
  let stored
  try {
    stored = await ctx.storage.manifests.put(ctx.name, { ...ref, tags }, bytes, ctx.req.headers['content-type'])
  } catch (err) {
    if (err instanceof DigestMismatchError) throw new RegistryError('DIGEST_INVALID', null, err.message)
    if (err instanceof ManifestError) throw new RegistryError('MANIFEST_INVALID', { reason: err.message }, err.message)
    if (err instanceof MissingReferencesError) {
      const [first] = err.missing
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { missing: err.missing, digest: first.digest },
        `the manifest references ${first.kind} ${first.digest}${err.missing.length > 1 ? ` and ${err.missing.length - 1} more` : ''}, which this repository does not hold`)
    }
    throw err
  }
  ctx.log.debug({ name: ctx.name, reference: ctx.param, digest: stored.digest.value }, 'manifest stored')
  const headers: Record<string, string> = {
    Location: `/v2/${ctx.name}/manifests/${stored.digest.value}`,
    'Docker-Content-Digest': stored.digest.value
  }
  const subject = stored.subject && parseDigest(stored.subject.digest)
  if (subject && typeof subject === 'object') headers['OCI-Subject'] = subject.value
  // One OCI-Tag field per tag written (RFC 9110 lets a client read them as one list).
  if (tags.length > 0) ctx.res.setHeader('OCI-Tag', tags)
  reply(ctx.res, 201, headers)
}

export async function deleteManifest(ctx: RequestContext): Promise<void> {
  const ref = await lookupReference(ctx)
  const { manifests, repos } = ctx.storage
  const gone = ref.tag !== undefined ? await repos.untag(ctx.name, ref.tag) : await manifests.delete(ctx.name, ref.digest)
  if (!gone) throw await notFound(ctx, 'MANIFEST_UNKNOWN', ref.tag !== undefined ? { tag: ref.tag } : { digest: ref.digest.value })
  reply(ctx.res, 202)
}
