import { parseRange } from '../http'
import { RegistryError } from '../errcode'
import { notFound, reply, validDigest, type RequestContext } from '../context'

// GET / HEAD / DELETE /v2/<name>/blobs/<digest>

export async function getBlob(ctx: RequestContext): Promise<void> {
  const digest = validDigest(ctx.param)
  const repository = ctx.storage.repository(ctx.name)
  // What storage lacks, a pull-through cache may fetch (and link) first.
  let size = await repository.stat(digest)
  if (size === null && (await ctx.pullThrough?.blob(ctx.name, digest))) size = await repository.stat(digest)
  if (size === null) throw await notFound(ctx, 'BLOB_UNKNOWN', { digest: digest.value })

  const etag = `"${digest.value}"`
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest.value,
    'Accept-Ranges': 'bytes',
    ETag: etag,
    // Content-addressed: the bytes behind a digest never change.
    'Cache-Control': 'max-age=31536000'
  }
  if (ctx.req.headers['if-none-match'] === etag) {
    ctx.res.writeHead(304, headers)
    ctx.res.end()
    return
  }
  const range = parseRange(ctx.req.headers.range, size)
  if (range === 'unsatisfiable')
    throw new RegistryError('RANGE_INVALID', { range: ctx.req.headers.range, size }, 'requested range not satisfiable', {
      'Content-Range': `bytes */${size}`
    })
  const start = range?.start ?? 0
  const end = range?.end ?? size - 1
  headers['Content-Length'] = size === 0 ? 0 : end - start + 1
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`
  ctx.res.writeHead(range ? 206 : 200, headers)
  if (ctx.head || size === 0) {
    ctx.res.end()
    return
  }
  await repository.send(digest, { start, end }, ctx.res)
}

export async function deleteBlob(ctx: RequestContext): Promise<void> {
  const digest = validDigest(ctx.param)
  // Unlinks the blob from this repository; the bytes go at the next garbage collection.
  if (!(await ctx.storage.repos.unlinkLayer(ctx.name, digest))) throw await notFound(ctx, 'BLOB_UNKNOWN', { digest: digest.value })
  reply(ctx.res, 202, { 'Docker-Content-Digest': digest.value })
}
