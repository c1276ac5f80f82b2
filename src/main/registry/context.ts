import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { isValidName, parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import type { PullThrough } from './pull-through'
import { RegistryError } from './errcode'

/** What every handler gets: the request, its parsed URL and route parameters, the storage and the log. */
export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  /** The query string, parsed (the path is matched raw and never decoded). */
  query: URLSearchParams
  /** Repository name from the path, already validated. */
  name: string
  /** The route's last path segment (reference, digest or upload id), undecoded. */
  param: string
  storage: Storage
  log: Logger
  head: boolean
  /** Where pulls of what storage lacks are fetched from (the pull-through cache), if anywhere. */
  pullThrough?: PullThrough
}

export type Handler = (ctx: RequestContext) => Promise<void>

export function validName(name: string): string {
  if (!isValidName(name))
    throw new RegistryError('NAME_INVALID', { name }, `invalid repository name "${name.slice(0, 300)}"`)
  return name
}

/** A digest from the path or query; malformed → DIGEST_INVALID, another algorithm → UNSUPPORTED (as 400). */
export function validDigest(text: string | null): Digest {
  if (text === null || text === '') throw new RegistryError('DIGEST_INVALID', null, 'a digest is required')
  const parsed = parseDigest(text)
  if (parsed === 'malformed') throw new RegistryError('DIGEST_INVALID', { digest: text.slice(0, 300) }, 'invalid digest')
  if (parsed === 'unsupported')
    throw new RegistryError(
      'DIGEST_INVALID',
      { digest: text.slice(0, 300), supported: ['sha256', 'sha512'] },
      'unsupported digest algorithm'
    )
  return parsed
}

/** Sends an empty-bodied response with the given status and headers. */
export function reply(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  // A 204 carries no Content-Length at all (RFC 9110 §8.6); every other empty answer says 0.
  res.writeHead(status, status === 204 ? headers : { 'Content-Length': 0, ...headers })
  res.end()
}

/** Sends a JSON body (no body for HEAD). */
export function replyJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  ctx.res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers
  })
  ctx.res.end(ctx.head ? undefined : text)
}

/** 404 for something missing: NAME_UNKNOWN when the whole repository is, else the given code. */
export async function notFound(ctx: RequestContext, code: 'BLOB_UNKNOWN' | 'MANIFEST_UNKNOWN', detail: unknown): Promise<RegistryError> {
  if (!(await ctx.storage.repos.exists(ctx.name)))
    return new RegistryError('NAME_UNKNOWN', { name: ctx.name }, `repository ${ctx.name} is not known to this registry`)
  return new RegistryError(code, detail)
}
