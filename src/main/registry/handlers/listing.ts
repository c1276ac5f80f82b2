import { pageSize } from '../http'
import { RegistryError } from '../errcode'
import { replyJson, type RequestContext } from '../context'

// GET /v2/_catalog and GET /v2/<name>/tags/list: the same pagination (n, last, Link rel="next").

function nextLink(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`
}

/** The index of the first entry after `last` in `sorted` (ordered by `compare`). */
function after(sorted: readonly string[], last: string | null, compare: (a: string, b: string) => number): number {
  if (last === null) return 0
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(sorted[mid], last) <= 0) lo = mid + 1
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

/**
 * The spec's tag order: "lexical (i.e. case-insensitive alphanumeric)". Ties (`V1` and `v1`) fall
 * back to code-unit order, so the order is total and `last` always lands in one place.
 */
export function compareTags(a: string, b: string): number {
  const la = a.toLowerCase()
  const lb = b.toLowerCase()
  if (la !== lb) return la < lb ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** The spec-ordered list and its whole-list answer, made once per (immutable) cached tag list. */
const ordered = new WeakMap<readonly string[], { tags: readonly string[]; body?: string }>()

export async function getTags(ctx: RequestContext): Promise<void> {
  // The tags are in memory already: an explicit `n` is honoured in full (the spec allows fewer only
  // when fewer exist), and no `n` means the whole list.
  const n = pageSize(ctx.query, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  const last = ctx.query.get('last')
  const stored = await ctx.storage.repos.tags(ctx.name)
  if (stored === null)
    throw new RegistryError('NAME_UNKNOWN', { name: ctx.name }, `repository ${ctx.name} is not known to this registry`)
  let entry = ordered.get(stored)
  if (entry === undefined) ordered.set(stored, (entry = { tags: [...stored].sort(compareTags) }))
  const all = entry.tags
  const start = after(all, last, compareTags)
  if (start === 0 && n >= all.length) {
    const body = (entry.body ??= JSON.stringify({ name: ctx.name, tags: all }))
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
