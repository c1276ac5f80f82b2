import type { IncomingMessage, ServerResponse } from 'node:http'
import { RegistryError } from './errcode'

/*
 * The registry port against the browser on the same machine. A web page can make the browser send
 * requests here (a no-cors fetch, a form, an <img>) and, through DNS rebinding, under a name of its
 * own that resolves to 127.0.0.1. Registry clients (docker, skopeo, podman, buildah, CI jobs) never
 * send `Origin` and always name the registry by the address they were given; browsers always send
 * `Origin` on a cross-origin POST/PUT/PATCH/DELETE and the attacker's name in `Host`. So: on a
 * loopback bind only loopback `Host` names are answered, and a request carrying an `Origin` is
 * refused unless a person allowed that origin (a web UI of their own).
 */

export interface RequestGuardOptions {
  /** Origins (`scheme://host[:port]`) whose pages may use the registry; empty by default. */
  allowedOrigins?: readonly string[]
  /** The address the server is bound to, read per request (known once it listens). */
  boundAddress: () => string | undefined
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false
  return address === 'localhost' || address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

/** `localhost`, `127.0.0.1` or `[::1]`, with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase()
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(h)
  return m !== null && LOOPBACK_HOSTS.has(m[1])
}

/** An origin as browsers send it (`http://127.0.0.1:8080`), or null when `text` is none. */
export function normalizeOrigin(text: string): string | null {
  try {
    const url = new URL(text)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return url.origin
  } catch {
    return null
  }
}

/**
 * Checks a request before dispatch: throws a `DENIED` RegistryError (403, the spec's JSON body) for
 * a foreign `Host` on a loopback bind or an `Origin` not on the allow-list. An allowed origin gets
 * CORS headers (and its preflight is answered here: returns true when the request needs nothing more).
 */
export function createRequestGuard(options: RequestGuardOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const allowed = new Set((options.allowedOrigins ?? []).map((o) => normalizeOrigin(o)).filter((o): o is string => o !== null))
  return (req, res) => {
    const host = req.headers.host
    if (host !== undefined && isLoopbackAddress(options.boundAddress()) && !isLoopbackHost(host))
      throw new RegistryError(
        'DENIED',
        { host: host.slice(0, 200) },
        'this registry listens on loopback and answers only to localhost, 127.0.0.1 or [::1]; use one of those names (another name is how a web page reaches it through DNS rebinding)'
      )
    const origin = req.headers.origin
    if (origin === undefined) return false
    const normalized = normalizeOrigin(origin)
    if (normalized === null || !allowed.has(normalized))
      throw new RegistryError(
        'DENIED',
        { origin: origin.slice(0, 200) },
        `a web page (${origin.slice(0, 100)}) may not use this registry; registry clients never send Origin. To let a web app of yours use it, allow its origin: berth serve --allow-origin ${normalized ?? '<origin>'} (setting allowedOrigins)`
      )
    res.setHeader('Access-Control-Allow-Origin', normalized)
    res.setHeader('Vary', 'Origin')
    res.setHeader('Access-Control-Expose-Headers', 'Docker-Content-Digest, Docker-Upload-UUID, Location, Link, Range, OCI-Subject, OCI-Filters-Applied')
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Content-Range, Accept',
      'Access-Control-Max-Age': '600'
    })
    res.end()
    return true
  }
}
