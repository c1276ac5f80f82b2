import { UploadError } from '../../storage'
import { contentLength, hasBody, parseContentRange, type ByteRange } from '../http'
import { RegistryError } from '../errcode'
import { reply, validDigest, validName, type RequestContext } from '../context'
import { ensureRoom } from '../failure'

// The upload endpoints: POST /v2/<name>/blobs/uploads/ (start, monolithic, mount) and
// GET / PATCH / PUT / DELETE /v2/<name>/blobs/uploads/<uuid>.

function uploadLocation(name: string, uuid: string): string {
  return `/v2/${name}/blobs/uploads/${uuid}`
}

/** `Range: 0-<last byte>`; Distribution (and so every client) says `0-0` for an empty upload. */
function rangeHeader(size: number): string {
  return `0-${Math.max(0, size - 1)}`
}

function progressHeaders(name: string, uuid: string, size: number): Record<string, string> {
  return { Location: uploadLocation(name, uuid), Range: rangeHeader(size), 'Docker-Upload-UUID': uuid }
}

function blobCreated(ctx: RequestContext, digest: string): void {
  reply(ctx.res, 201, { Location: `/v2/${ctx.name}/blobs/${digest}`, 'Docker-Content-Digest': digest })
}

/** Maps storage refusals to the spec's codes; the upload's position is returned with a 416 so clients can resume. */
async function translate<T>(ctx: RequestContext, uuid: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if (!(err instanceof UploadError)) throw err
    switch (err.reason) {
      case 'unknown':
        throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid }, err.message)
      case 'digest':
        throw new RegistryError('DIGEST_INVALID', null, err.message)
      case 'range': {
        const status = await ctx.storage.uploads.status(ctx.name, uuid)
        throw new RegistryError('RANGE_INVALID', null, err.message, status ? progressHeaders(ctx.name, uuid, status.size) : {})
      }
      default:
        throw new RegistryError('BLOB_UPLOAD_INVALID', null, err.message)
    }
  }
}

/** The chunk's Content-Range, checked against its Content-Length. */
function chunkRange(ctx: RequestContext): ByteRange | undefined {
  const range = parseContentRange(ctx.req.headers['content-range'] as string | undefined)
  if (!range) return undefined
  const length = contentLength(ctx.req)
  if (length !== null && length !== range.end - range.start + 1)
    throw new RegistryError('RANGE_INVALID', { contentRange: ctx.req.headers['content-range'], contentLength: length },
      'Content-Range and Content-Length disagree')
  return range
}

export async function startUpload(ctx: RequestContext): Promise<void> {
  const { uploads } = ctx.storage
  const q = ctx.query
  const mount = q.get('mount')
  if (mount !== null) {
    const digest = validDigest(mount)
    const from = q.get('from')
    // With `from`, the blob must be linked there; without it (automatic content discovery) any stored copy will do.
    if (await ctx.storage.repository(ctx.name).mountFrom(digest, from === null ? null : validName(from))) {
      ctx.log.debug({ name: ctx.name, digest: digest.value, from }, 'blob mounted')
      return blobCreated(ctx, digest.value)
    }
    // Not mountable: fall back to an ordinary upload session, as the spec asks.
  }
  const digestParam = q.get('digest')
  if (digestParam !== null) {
    // Monolithic: the whole blob in this request, and nothing of it kept unless it all checks out.
    const digest = validDigest(digestParam)
    await ensureRoom(ctx.storage, contentLength(ctx.req))
    await translate(ctx, '', () => uploads.upload(ctx.name, digest, ctx.req))
    return blobCreated(ctx, digest.value)
  }
  const { uuid } = await uploads.start(ctx.name)
  reply(ctx.res, 202, progressHeaders(ctx.name, uuid, 0))
}

export async function uploadStatus(ctx: RequestContext): Promise<void> {
  const status = await ctx.storage.uploads.status(ctx.name, ctx.param)
  if (!status) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid: ctx.param.slice(0, 100) })
  reply(ctx.res, 204, progressHeaders(ctx.name, status.uuid, status.size))
}

export async function patchUpload(ctx: RequestContext): Promise<void> {
  const uuid = ctx.param
  if (!(await ctx.storage.uploads.status(ctx.name, uuid)))
    throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid: uuid.slice(0, 100) })
  const range = chunkRange(ctx)
  await ensureRoom(ctx.storage, contentLength(ctx.req))
  const size = await translate(ctx, uuid, () => ctx.storage.uploads.append(ctx.name, uuid, ctx.req, range))
  reply(ctx.res, 202, progressHeaders(ctx.name, uuid, size))
}

export async function finishUpload(ctx: RequestContext): Promise<void> {
  const uuid = ctx.param
  if (!(await ctx.storage.uploads.status(ctx.name, uuid)))
    throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid: uuid.slice(0, 100) })
  const digest = validDigest(ctx.query.get('digest'))
  const range = chunkRange(ctx)
  const last = hasBody(ctx.req) ? { body: ctx.req, range } : undefined
  if (last) await ensureRoom(ctx.storage, contentLength(ctx.req))
  await translate(ctx, uuid, () => ctx.storage.uploads.commit(ctx.name, uuid, digest, last))
  blobCreated(ctx, digest.value)
}

export async function cancelUpload(ctx: RequestContext): Promise<void> {
  const uuid = ctx.param
  if (!(await ctx.storage.uploads.status(ctx.name, uuid)))
    throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { uuid: uuid.slice(0, 100) })
  await translate(ctx, uuid, () => ctx.storage.uploads.cancel(ctx.name, uuid))
  reply(ctx.res, 204)
}
