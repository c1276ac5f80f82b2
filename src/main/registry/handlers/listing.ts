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
  const n = pageSize(ctx.query)
  const last = ctx.query.get('last')
  const { names, more } = await ctx.storage.catalog.page(n, last ?? undefined)
  const headers: Record<string, string> = {}
  if (more && names.length > 0) headers.Link = nextLink('/v2/_catalog', n, names[names.length - 1])
  replyJson(ctx, 200, { repositories: names }, headers)
}

/** The whole-list answer, serialised once per (immutable) cached tag list. */
const wholeListBodies = new WeakMap<readonly string[], string>()

export async function getTags(ctx: RequestContext): Promise<void> {
  const n = pageSize(ctx.query)
  const last = ctx.query.get('last')
  const all = await ctx.storage.repos.tags(ctx.name)
  if (all === null)
    throw new RegistryError('NAME_UNKNOWN', { name: ctx.name }, `repository ${ctx.name} is not known to this registry`)
  const start = after(all, last)
  if (start === 0 && n >= all.length) {
    let body = wholeListBodies.get(all)
    if (body === undefined) wholeListBodies.set(all, (body = JSON.stringify({ name: ctx.name, tags: all })))
    ctx.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
    ctx.res.end(ctx.head ? undefined : body)
    return
  }
  const tags = all.slice(start, start + n)
  const headers: Record<string, string> = {}
  if (start + n < all.length && tags.length > 0)
    headers.Link = nextLink(`/v2/${ctx.name}/tags/list`, n, tags[tags.length - 1])
  replyJson(ctx, 200, { name: ctx.name, tags }, headers)
}
