import { MediaType } from '../../storage'
import { validDigest, type RequestContext } from '../context'

// GET /v2/<name>/referrers/<digest>[?artifactType=…]: an OCI image index of the manifests whose
// `subject` is <digest>. Always 200 (an empty index when nothing refers to it), as the spec asks.

export async function getReferrers(ctx: RequestContext): Promise<void> {
  const digest = validDigest(ctx.param)
  // `?artifactType=` with no value names no type: no filter, and no OCI-Filters-Applied claiming one.
  const artifactType = ctx.query.get('artifactType') || undefined
  const manifests = await ctx.storage.manifests.referrers(ctx.name, digest, artifactType)
  const headers: Record<string, string> = { 'Content-Type': MediaType.ociIndex }
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType'
  const body = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }
  const text = JSON.stringify(body)
  ctx.res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(text) })
  ctx.res.end(ctx.head ? undefined : text)
}
