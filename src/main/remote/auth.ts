import type { IncomingMessage } from 'node:http'
import { BerthError } from '@shared/errors'
import type { Credential } from './credentials'
import type { Challenge } from './www-authenticate'
import { readBody, sendWithRetry, type RetryPolicy } from './transport'
import type { RegistryTls } from './tls'

// Docker's token authentication (distribution's docs/spec/auth/token.md, and oauth.md for refresh
// tokens): a 401 names a realm, a service and a scope; the client asks the realm for a token
// (Basic credentials when it has some, anonymously otherwise), caches it per scope until it
// expires, and sends it as `Authorization: Bearer`. Basic-only registries get Basic directly.

interface CachedToken {
  token: string
  expiresAt: number
}

export interface TokenFetchOptions {
  tlsFor: (host: string) => Promise<RegistryTls>
  verify: boolean
  retry: RetryPolicy
  signal?: AbortSignal
}

/** `repository:team/app:pull` etc., merged with what a challenge itself asks for. */
export function scopeKey(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join(' ')
}

export function basicHeader(c: Credential): string {
  return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`
}

export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>()
  /** Fetches under way: requests sent at once for one scope share one token request. */
  private readonly pending = new Map<string, Promise<string>>()

  get(scopes: readonly string[]): string | null {
    const t = this.tokens.get(scopeKey(scopes))
    return t && t.expiresAt > Date.now() ? t.token : null
  }

  drop(scopes: readonly string[]): void {
    this.tokens.delete(scopeKey(scopes))
  }

  /** A cached token for `scopes`, else one fetched (once, however many ask at the same time). */
  obtain(challenge: Challenge, scopes: readonly string[], credential: () => Promise<Credential | null>, registry: string, options: TokenFetchOptions): Promise<string> {
    const cached = this.get(scopes)
    if (cached) return Promise.resolve(cached)
    const key = scopeKey(scopes)
    let p = this.pending.get(key)
    if (!p) {
      p = credential()
        .then((c) => this.fetch(challenge, scopes, c, registry, options))
        .finally(() => this.pending.delete(key))
      this.pending.set(key, p)
    }
    return p
  }

  /** Fetches a token for `scopes` from the challenge's realm, caches and returns it. */
  async fetch(challenge: Challenge, scopes: readonly string[], credential: Credential | null, registry: string, options: TokenFetchOptions): Promise<string> {
    const realm = challenge.params.realm
    if (!realm) throw new BerthError('REMOTE_FAILED', `${registry} asked for a token but named no realm to get it from; check the registry's auth configuration.`)
    let url: URL
    try {
      url = new URL(realm)
    } catch {
      throw new BerthError('REMOTE_FAILED', `${registry} named a token realm that is not a URL; check the registry's auth configuration.`)
    }
    const all = scopeKey([...scopes, ...(challenge.params.scope ? [challenge.params.scope] : [])]).split(' ').filter(Boolean)
    const tls = await options.tlsFor(url.host)
    let res: IncomingMessage
    if (credential?.identityToken) {
      // oauth.md: a refresh token is POSTed; the realm answers an access_token.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'berth', service: challenge.params.service ?? '' })
      if (all.length) form.set('scope', all.join(' '))
      res = await sendWithRetry({ method: 'POST', url, body: Buffer.from(form.toString()), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, tls, verify: options.verify, signal: options.signal }, options.retry)
    } else {
      if (challenge.params.service) url.searchParams.set('service', challenge.params.service)
      for (const s of all) url.searchParams.append('scope', s)
      const headers = credential?.username ? { Authorization: basicHeader(credential) } : {}
      res = await sendWithRetry({ method: 'GET', url, headers, tls, verify: options.verify, signal: options.signal }, options.retry)
    }
    const body = await readBody(res, 1 << 20)
    if (res.statusCode === 401 || res.statusCode === 403)
      throw new BerthError(
        'REMOTE_UNAUTHORIZED',
        credential
          ? `The token service of ${registry} refused the credentials; check the user name and password (or docker login ${registry} again).`
          : `${registry} gives no anonymous access; log in with docker login ${registry}, or give credentials (--src-creds/--dest-creds, or save them with the registry in Berth).`,
        { registry, status: res.statusCode }
      )
    if (res.statusCode !== 200) throw new BerthError('REMOTE_FAILED', `The token service of ${registry} answered HTTP ${res.statusCode}; try again later.`, { registry, status: res.statusCode })
    let parsed: { token?: string; access_token?: string; expires_in?: number; issued_at?: string }
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      throw new BerthError('REMOTE_FAILED', `The token service of ${registry} answered something that is not JSON; check its realm URL.`)
    }
    const token = parsed.token ?? parsed.access_token
    if (!token) throw new BerthError('REMOTE_FAILED', `The token service of ${registry} answered without a token.`)
    // The spec's minimum lifetime is 60 s; a few seconds of margin keep a token from expiring in flight.
    const lifetime = Math.max(parsed.expires_in ?? 60, 60)
    const issued = parsed.issued_at ? Date.parse(parsed.issued_at) : NaN
    const start = Number.isFinite(issued) && issued <= Date.now() ? issued : Date.now()
    this.tokens.set(scopeKey(scopes), { token, expiresAt: start + (lifetime - 5) * 1000 })
    return token
  }
}
