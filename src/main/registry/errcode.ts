import type { ServerResponse } from 'node:http'

/*
 * Every error the registry API can answer, registered once: the code the spec names, its HTTP status
 * and its message. Handlers throw `RegistryError`s; `serveErrors` is the only writer of the
 * `{"errors":[…]}` body.
 */
export const ERROR_CODES = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  // A legacy code the spec lets clients meet (schema1's), kept as Distribution words it.
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  // Conditions Distribution gives codes of its own; a 4xx JSON body's code MUST be one of the spec's
  // table, so each goes out as the nearest spec code (`wire`), its status kept.
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested', wire: 'UNSUPPORTED' },
  RANGE_INVALID: { status: 416, message: 'invalid content range', wire: 'BLOB_UPLOAD_INVALID' },
  MANIFEST_TOO_BIG: { status: 413, message: 'manifest is larger than the registry accepts', wire: 'MANIFEST_INVALID' },
  TOO_MANY_TAGS: { status: 414, message: 'too many tags in one push', wire: 'UNSUPPORTED' },
  // Server-side conditions: the spec's table has no code for them (it governs 4xx bodies), so they go
  // out as Distribution's catch-all UNKNOWN with the status that tells clients what to do: 503 is
  // "try again later" (Distribution itself says UNAVAILABLE, a code outside the spec), 507 is a full disk.
  UNAVAILABLE: { status: 503, message: 'service unavailable', wire: 'UNKNOWN' },
  INSUFFICIENT_STORAGE: { status: 507, message: 'insufficient storage', wire: 'UNKNOWN' },
  UNKNOWN: { status: 500, message: 'unknown error' }
} as const satisfies Record<string, { status: number; message: string; wire?: string }>

export type ErrorCode = keyof typeof ERROR_CODES

export class RegistryError extends Error {
  readonly status: number
  /** The code the body carries. */
  readonly wire: string
  constructor(
    readonly code: ErrorCode,
    readonly detail?: unknown,
    message?: string,
    /** Extra response headers (e.g. `Content-Range` on a 416, `Allow` on a 405). */
    readonly headers: Record<string, string> = {},
    /** Only for a path that names no endpoint at all: UNSUPPORTED, answered as 404 rather than 405. */
    status?: number
  ) {
    super(message ?? ERROR_CODES[code].message)
    const entry: { status: number; wire?: string } = ERROR_CODES[code]
    this.status = status ?? entry.status
    this.wire = entry.wire ?? code
  }
}

/** Writes the spec's error body. The status is the first error's (they share one in practice). */
export function serveErrors(res: ServerResponse, errors: RegistryError[], head = false): void {
  const body = JSON.stringify({
    errors: errors.map((e) => ({ code: e.wire, message: e.message, detail: e.detail ?? null }))
  })
  if (res.headersSent) {
    res.destroy()
    return
  }
  const first = errors[0]
  for (const [k, v] of Object.entries(first.headers)) res.setHeader(k, v)
  res.writeHead(first.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body)
  })
  res.end(head ? undefined : body)
}
