import type { IncomingMessage } from 'node:http'
import { RegistryError } from './errcode'

// Request-level parsing the handlers share: ranges, lengths, pagination, bounded bodies.

export interface ByteRange {
  start: number
  /** Inclusive. */
  end: number
}

/**
 * Parses a `Range: bytes=…` request header against a blob of `size` bytes (RFC 9110). Returns null
 * for "serve it all" (no header, or one we may ignore: several ranges, other units), a range, or
 * 'unsatisfiable'.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m) return header.trim().startsWith('bytes=') && !header.includes(',') ? 'unsatisfiable' : null
  const [, first, last] = m
  if (first === '' && last === '') return 'unsatisfiable'
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (!Number.isSafeInteger(start) || start >= size || (last !== '' && Number(last) < start)) return 'unsatisfiable'
  return { start, end }
}

/** Parses an upload's `Content-Range: <start>-<end>` (the Docker/OCI form, with or without `bytes `). */
export function parseContentRange(header: string | undefined): ByteRange | null {
  if (header === undefined) return null
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim())
  if (!m) throw new RegistryError('RANGE_INVALID', { contentRange: header }, 'Content-Range must be <start>-<end>')
  const start = Number(m[1])
  const end = Number(m[2])
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start)
    throw new RegistryError('RANGE_INVALID', { contentRange: header }, 'Content-Range end is before its start')
  return { start, end }
}

/** The declared body length, or null when the body is chunked / absent. Bad values are refused. */
export function contentLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length']
  if (header === undefined) return null
  if (!/^\d+$/.test(header)) throw new RegistryError('SIZE_INVALID', { contentLength: header }, 'Content-Length is not a number')
  return Number(header)
}

/** True when the request carries a body (a length above zero, or chunked transfer encoding). */
export function hasBody(req: IncomingMessage): boolean {
  const length = contentLength(req)
  if (length !== null) return length > 0
  return req.headers['transfer-encoding'] !== undefined
}

export const PAGE_MAX = 1000

/** `n` for tags list and catalog: absent → `fallback`, clamped to `max`; not a non-negative integer → 400. */
export function pageSize(query: URLSearchParams, fallback = PAGE_MAX, max = PAGE_MAX): number {
  const raw = query.get('n')
  if (raw === null || raw === '') return Math.min(fallback, max)
  if (!/^\d{1,15}$/.test(raw))
    throw new RegistryError('PAGINATION_NUMBER_INVALID', { n: raw }, 'n must be a non-negative integer')
  return Math.min(Number(raw), max)
}

export class BodyTooLargeError extends Error {}

/**
 * Reads a whole body into memory, never more than `limit` bytes: a declared larger length is refused
 * before anything is read, and a chunked body that grows past it is no longer read. The request is
 * never destroyed here (that would destroy its socket, and the refusal could not be answered): the
 * failure path reads and drops the rest.
 */
export async function readBounded(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = contentLength(req)
  if (declared !== null && declared > limit) throw new BodyTooLargeError()
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit) throw new BodyTooLargeError()
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total)
}
