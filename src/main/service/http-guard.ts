import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { BerthErrorCode } from '@shared/errors'

/*
 * Who may drive Berth over HTTP. The browser that shows the app also visits arbitrary pages, and every
 * port of 127.0.0.1 is "same site" to it (cookies ignore ports), so nothing here trusts what a browser
 * attaches by itself: the token travels only in `Authorization` (a page of another origin cannot set
 * it without a CORS preflight, which Berth never grants), a request a browser marks as coming from
 * another origin is refused before it is read, and method calls take JSON only (a `<form>` cannot send it).
 */

export interface Refusal {
  status: number
  code: BerthErrorCode
  message: string
  headers?: Record<string, string>
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]']

/** The app's own origins on `port` (the page may be opened by either name). */
export function ownOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `http://${name}:${port}`)
}

/** A loopback `Host` with our port: DNS rebinding sends the attacker's name instead. */
export function checkHost(req: IncomingMessage, port: number): Refusal | null {
  const host = (req.headers.host ?? '').toLowerCase()
  if (LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) return null
  return { status: 403, code: 'INVALID_INPUT', message: 'Use http://127.0.0.1 or localhost to reach Berth.' }
}

/**
 * Not sent by a page of another origin: no foreign `Origin`, no `Sec-Fetch-Site` other than
 * same-origin or none (a typed address). Clients that send neither header (curl, scripts) pass.
 */
export function checkSite(req: IncomingMessage, port: number): Refusal | null {
  const origin = req.headers.origin
  if (origin !== undefined && !ownOrigins(port).includes(origin.toLowerCase()))
    return { status: 403, code: 'INVALID_INPUT', message: `A page of ${origin.slice(0, 100)} may not call Berth; use the app at the address \`berth serve\` printed.` }
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return { status: 403, code: 'INVALID_INPUT', message: 'A page of another site may not call Berth; use the app at the address `berth serve` printed.' }
  return null
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** `Authorization: Bearer <token>` and nothing else: no cookie, no query parameter. */
export function checkToken(req: IncomingMessage, token: string): Refusal | null {
  const auth = req.headers.authorization
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined
  if (sameToken(bearer, token)) return null
  return {
    status: 401,
    code: 'INVALID_INPUT',
    message: 'Berth needs its token: open the address `berth serve` printed, or send Authorization: Bearer <token>.',
    headers: { 'WWW-Authenticate': 'Bearer realm="berth"' }
  }
}

/** Method calls are JSON: a form or a no-cors fetch can only send text/plain, urlencoded or multipart. */
export function checkJson(req: IncomingMessage): Refusal | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (type === 'application/json') return null
  return {
    status: 415,
    code: 'INVALID_INPUT',
    message: 'Send method calls as POST with Content-Type: application/json (and a JSON body, or none).'
  }
}
