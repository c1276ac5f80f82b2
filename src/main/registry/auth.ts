import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Account, Role } from '@shared/model/sharing'
import { RegistryError } from './errcode'
import type { LoginThrottle } from './login-throttle'
import { requestInfo } from './observe'

/*
 * Basic authentication as Distribution's `auth.htpasswd` does it — `401 UNAUTHORIZED` with
 * `WWW-Authenticate: Basic realm="…"` and the spec's JSON body — plus roles: `403 DENIED` when the
 * account may not do this. A verified header is cached (by its SHA-256, never the header itself) so
 * bcrypt runs once per client and not on every blob request; the cache empties when the accounts
 * change. Credentials are never logged or kept in clear.
 */

export type Access = 'pull' | 'push' | 'delete'

export interface AuthRequest {
  /** The route's name (routes.ts). */
  route: string
  /** The request method, HEAD counted as GET. */
  method: string
  repository: string
}

/** Answers the account (null: anonymous) or throws a RegistryError (401, 403, 429). */
export type AuthHook = (req: IncomingMessage, request: AuthRequest) => Promise<string | null>

const ALLOWED: Record<Role, readonly Access[]> = {
  pull: ['pull'],
  push: ['pull', 'push'],
  admin: ['pull', 'push', 'delete']
}

/** What a request does: reads, writes (uploads, manifests, tags) or deletes. */
export function accessFor(route: string, method: string): Access {
  if (method === 'GET') return route === 'blob-upload-chunk' ? 'push' : 'pull'
  if (method === 'DELETE') return route === 'blob-upload-chunk' ? 'push' : 'delete'
  return 'push'
}

export function roleAllows(role: Role, access: Access): boolean {
  return ALLOWED[role].includes(access)
}

export interface AccountSource {
  verify(name: string, password: string): Promise<Account | null>
  /** Re-reads the accounts if their files changed (cheap: a stat at most once a second). */
  refresh(): Promise<void>
  readonly generation: number
}

export interface BasicAuthOptions {
  accounts: AccountSource
  realm?: string
  anonymousPull?: boolean
  throttle?: LoginThrottle
  /** A login failed (wrong name or password) or was refused for too many failures. */
  onFailure?: (reason: 'bad-credentials' | 'throttled') => void
  /**
   * Berth's own credential for the pushes and pulls the window asks the local engine to make (a
   * random password per start, in no file). Its name cannot be an account's (see AccountName).
   */
  internal?: { name: string; password: string }
  cacheSize?: number
  cacheTtlMs?: number
  now?: () => number
}

/** Name and password from `Authorization: Basic …`; null when there is none (or both are empty, as skopeo sends). */
export function basicCredentials(header: string | undefined): { name: string; password: string } | null | 'malformed' {
  if (!header) return null
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (!m) return 'malformed'
  const text = Buffer.from(m[1], 'base64').toString('utf8')
  const colon = text.indexOf(':')
  if (colon < 0) return 'malformed'
  const name = text.slice(0, colon)
  const password = text.slice(colon + 1)
  return name === '' && password === '' ? null : { name, password }
}

export function createBasicAuth(options: BasicAuthOptions): AuthHook {
  const realm = options.realm ?? 'Berth'
  const cacheSize = options.cacheSize ?? 256
  const cacheTtlMs = options.cacheTtlMs ?? 10 * 60_000
  const now = options.now ?? Date.now
  const challenge = { 'WWW-Authenticate': `Basic realm="${realm.replace(/["\\]/g, '')}"` }
  const cache = new Map<string, { account: Account; until: number }>()
  let cacheGeneration = -1

  const unauthorized = (detail: unknown, message?: string) => new RegistryError('UNAUTHORIZED', detail, message, challenge)

  async function authenticate(req: IncomingMessage, header: string, name: string, password: string): Promise<Account> {
    const client = req.socket.remoteAddress ?? 'unknown'
    await options.accounts.refresh()
    if (cacheGeneration !== options.accounts.generation) {
      cache.clear()
      cacheGeneration = options.accounts.generation
    }
    const key = createHash('sha256').update(header).digest('base64')
    const hit = cache.get(key)
    if (hit && hit.until > now()) {
      cache.delete(key)
      cache.set(key, hit)
      return hit.account
    }
    const wait = options.throttle?.retryAfterMs(client) ?? 0
    if (wait > 0) {
      options.onFailure?.('throttled')
      const seconds = Math.ceil(wait / 1000)
      throw new RegistryError('TOOMANYREQUESTS', { retryAfterSeconds: seconds }, `too many failed logins from this address; try again in ${seconds} s`, { 'Retry-After': String(seconds) })
    }
    const account = await options.accounts.verify(name, password)
    if (!account) {
      options.throttle?.failure(client)
      options.onFailure?.('bad-credentials')
      throw unauthorized(null, 'authentication required: wrong account name or password')
    }
    options.throttle?.success(client)
    cache.set(key, { account, until: now() + cacheTtlMs })
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string)
    return account
  }

  return async (req, request) => {
    const access = accessFor(request.route, request.method)
    const header = req.headers.authorization
    const credentials = basicCredentials(header)
    if (credentials === 'malformed') throw unauthorized(null, 'authentication required: the Authorization header holds no account name and password')
    if (credentials === null) {
      // `/v2/` always challenges: that is how `docker login` learns it must send a password.
      if (options.anonymousPull && access === 'pull' && request.route !== 'base') return null
      throw unauthorized(accessDetail(request, access))
    }
    const account = isInternal(credentials, options.internal)
      ? { name: credentials.name, role: 'admin' as const, roleAssigned: true, usable: true }
      : await authenticate(req, header as string, credentials.name, credentials.password)
    // Known from here on, also when the role refuses: the access log says who was denied.
    requestInfo(req).account = account.name
    if (!roleAllows(account.role, access))
      throw new RegistryError('DENIED', accessDetail(request, access), `the account ${account.name} (role ${account.role}) may not ${access === 'delete' ? 'delete' : access} here`)
    return account.name
  }
}

function isInternal(given: { name: string; password: string }, internal: BasicAuthOptions['internal']): boolean {
  if (!internal || given.name !== internal.name) return false
  const a = Buffer.from(given.password)
  const b = Buffer.from(internal.password)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The detail Distribution gives: what was asked for, on what. */
function accessDetail(request: AuthRequest, access: Access) {
  if (request.route === 'base') return null
  if (!request.repository) return [{ Type: 'registry', Name: 'catalog', Action: '*' }]
  return [{ Type: 'repository', Name: request.repository, Action: access }]
}
