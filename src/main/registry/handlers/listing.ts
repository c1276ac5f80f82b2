import { pageSize } from '../http'
import { RegistryError } from '../errcode'
import { replyJson, type RequestContext } from '../context'

// GET /v2/_catalog and GET /v2/<name>/tags/list: the same pagination (n, last, Link rel="next").

function nextLink(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`
}

function after(sorted: readonly string[], last: string | null): number {
  if (last === null) return 0
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] <= last) lo = mid + 1
    else hi = mid
  }
  return lo
}

export async function getCatalog(ctx: RequestContext): Promise<void> {
  const n = pageSize(ctx.url.searchParams)
  const last = ctx.url.searchParams.get('last')
  const { names, more } = await ctx.storage.catalog.page(n, last ?? undefined)
  const headers: Record<string, string> = {}
  if (more && names.length > 0) headers.Link = nextLink('/v2/_catalog', n, names[names.length - 1])
  replyJson(ctx, 200, { repositories: names }, headers)
}

export async function getTags(ctx: RequestContext): Promise<void> {
  const n = pageSize(ctx.url.searchParams)
  const last = ctx.url.searchParams.get('last')
  const all = await ctx.storage.repos.tags(ctx.name)
  if (all === null)
    throw new RegistryError('NAME_UNKNOWN', { name: ctx.name }, `repository ${ctx.name} is not known to this registry`)
  const start = after(all, last)
  const tags = all.slice(start, start + n)
  const headers: Record<string, string> = {}
  if (start + n < all.length && tags.length > 0)
    headers.Link = nextLink(`/v2/${ctx.name}/tags/list`, n, tags[tags.length - 1])
  replyJson(ctx, 200, { name: ctx.name, tags }, headers)
}
