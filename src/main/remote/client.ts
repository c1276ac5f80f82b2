import { createHash } from 'node:crypto'
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import pino, { type Logger } from 'pino'
import { BerthError } from '@shared/errors'
import { RegistryAddress } from '@shared/model/remote'
import { parseDigest, type DigestAlgorithm } from '@shared/reference'
import { mediaTypeOf, parseJson } from '../storage/core/manifest-json'
import { connectionAdvice, statusAdvice } from './advice'
import { basicHeader, TokenCache } from './auth'
import type { Credential, CredentialLookup } from './credentials'
import { apiHostOf, isLoopbackHost } from './reference'
import { certsDirectories, tlsFor, type RegistryTls } from './tls'
import { DEFAULT_RETRY, drain, readBody, sendWithRetry, type Body, type RetryPolicy } from './transport'
import { preferredChallenge, type Challenge } from './www-authenticate'

// Berth's client of the Distribution API (OCI distribution-spec): streaming blobs, token and basic
// auth, custom CAs, plain HTTP where allowed, retries. One client per registry; it remembers the
// scheme, the auth challenge and tokens per scope.

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

const MANIFEST_LIMIT = 4 << 20

export interface RegistryClientOptions {
  /** `host[:port]`; `docker.io` for Docker Hub. */
  registry: string
  /** false: plain HTTP or HTTPS with any certificate, as skopeo's --tls-verify=false. Loopback may use HTTP anyway, as Docker allows. */
  tlsVerify?: boolean
  credentials?: CredentialLookup
  log?: Logger
  certsDirs?: string[]
  retry?: Partial<RetryPolicy>
}

export interface RemoteManifest {
  bytes: Buffer
  mediaType: string
  digest: string
}

export interface BlobStream {
  stream: IncomingMessage
  /** The offset the stream starts at (0 when the server ignored Range). */
  start: number
  /** The whole blob's size, when the server said. */
  total: number | null
}

export const pullScope = (repo: string) => `repository:${repo}:pull`
export const pushScope = (repo: string) => `repository:${repo}:pull,push`

function essence(type: string | undefined): string {
  return (type ?? '').split(';')[0].trim().toLowerCase()
}

export class RegistryClient {
  readonly registry: string
  private readonly verify: boolean
  private readonly allowHttp: boolean
  private readonly log: Logger
  private readonly retry: RetryPolicy
  private readonly tokens = new TokenCache()
  private readonly tlsCache = new Map<string, Promise<RegistryTls>>()
  private base: Promise<URL> | null = null
  private challenge: Challenge | null = null
  private credential: Promise<Credential | null> | null = null

  constructor(private readonly options: RegistryClientOptions) {
    // Every way in (a saved key, a typed address, a reference's host) meets one check before a URL is made of it.
    if (!RegistryAddress.safeParse(options.registry).success)
      throw new BerthError('INVALID_INPUT', `${JSON.stringify(options.registry)} is not a registry address: give host or host:port, e.g. registry.example:5000.`)
    this.registry = options.registry
    this.verify = options.tlsVerify !== false
    this.allowHttp = !this.verify || isLoopbackHost(options.registry)
    this.log = options.log ?? pino({ level: 'silent' })
    this.retry = { ...DEFAULT_RETRY, ...options.retry }
  }

  private tls(host: string): Promise<RegistryTls> {
    let t = this.tlsCache.get(host)
    if (!t) {
      t = tlsFor(host, this.options.certsDirs ?? certsDirectories())
      this.tlsCache.set(host, t)
    }
    return t
  }

  private cred(): Promise<Credential | null> {
    this.credential ??= (this.options.credentials?.(this.registry) ?? Promise.resolve(null)).catch((err: Error) => {
      throw new BerthError('REMOTE_UNAUTHORIZED', `The credentials for ${this.registry} could not be read: ${err.message}.`)
    })
    return this.credential
  }

  /** HTTPS first; plain HTTP only where allowed (tls-verify off, or loopback). Learns the auth challenge. */
  private resolveBase(signal?: AbortSignal): Promise<URL> {
    this.base ??= (async () => {
      const host = apiHostOf(this.registry)
      let first: unknown = null
      for (const scheme of this.allowHttp ? ['https', 'http'] : ['https']) {
        const url = new URL(`${scheme}://${host}/v2/`)
        try {
          const res = await sendWithRetry({ method: 'GET', url, tls: await this.tls(this.registry), verify: this.verify, signal }, { ...this.retry, retries: 1 })
          if (res.statusCode === 401) this.challenge = preferredChallenge(res.headers['www-authenticate'])
          drain(res)
          this.log.debug({ registry: this.registry, scheme, status: res.statusCode }, 'remote registry answered')
          return new URL(`${scheme}://${host}/`)
        } catch (err) {
          first ??= err
        }
      }
      throw connectionAdvice(first, this.registry)
    })()
    this.base.catch(() => (this.base = null))
    return this.base
  }

  private async authorization(scopes: string[], signal?: AbortSignal): Promise<OutgoingHttpHeaders> {
    const challenge = this.challenge
    if (!challenge) return {}
    if (challenge.scheme === 'bearer') {
      const token = await this.tokens.obtain(challenge, scopes, () => this.cred(), this.registry, { tlsFor: (h) => this.tls(h), verify: this.verify, retry: this.retry, signal })
      return { Authorization: `Bearer ${token}` }
    }
    const c = await this.cred()
    return challenge.scheme === 'basic' && c?.username ? { Authorization: basicHeader(c) } : {}
  }

  /**
   * One API call with auth: a 401 gets the challenge it carries answered once (a token for the scope,
   * or Basic credentials) and the request sent again when its body allows. Redirects of GET/HEAD are
   * followed without the Authorization header when they leave the registry (blob storage, CDNs).
   */
  async request(
    method: string,
    path: string | URL,
    options: { scopes: string[]; headers?: OutgoingHttpHeaders; body?: Body; replayable?: boolean; signal?: AbortSignal } = { scopes: [] }
  ): Promise<IncomingMessage> {
    const base = await this.resolveBase(options.signal)
    let url = typeof path === 'string' ? new URL(path, base) : path
    const replayable = options.replayable ?? !(typeof options.body === 'function')
    let res: IncomingMessage | null = null
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const auth = await this.authorization(options.scopes, options.signal)
        const tls = await this.tls(this.registry)
        res = await sendWithRetry(
          { method, url, headers: { ...options.headers, ...auth }, body: options.body, replayable, tls, verify: this.verify, signal: options.signal },
          this.retry,
          (why, wait) => this.log.info({ registry: this.registry, method, path: url.pathname, why, waitMs: Math.round(wait) }, 'retrying a remote request')
        )
        this.log.debug({ registry: this.registry, method, path: url.pathname, status: res.statusCode }, 'remote request')
        if (res.statusCode !== 401 || attempt === 1 || !replayable) break
        const challenge = preferredChallenge(res.headers['www-authenticate'])
        if (!challenge) break
        const hadAuth = auth.Authorization !== undefined
        this.challenge = challenge
        if (challenge.scheme === 'bearer') this.tokens.drop(options.scopes)
        else if (hadAuth || !(await this.cred())?.username) break
        drain(res)
      }
      for (let hops = 0; res && method !== 'PUT' && method !== 'POST' && method !== 'PATCH' && [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && hops < 5; hops++) {
        const location = res.headers.location
        if (!location) break
        drain(res)
        const next = new URL(location, url)
        const sameHost = next.host === url.host
        const headers = { ...options.headers, ...(sameHost ? await this.authorization(options.scopes, options.signal) : {}) }
        url = next
        res = await sendWithRetry({ method, url, headers, tls: await this.tls(url.host), verify: this.verify, signal: options.signal }, this.retry)
      }
    } catch (err) {
      if (options.signal?.aborted) throw err
      throw connectionAdvice(err, this.registry)
    }
    return res!
  }

  private async fail(res: IncomingMessage, what: string): Promise<never> {
    const body = await readBody(res, 64 << 10).catch(() => undefined)
    throw statusAdvice(res.statusCode ?? 0, this.registry, what, body)
  }

  /** Checks that the registry answers and takes the credentials (a token for `scopes`, when given). */
  async ping(scopes: string[] = []): Promise<{ auth: 'none' | 'basic' | 'bearer'; scheme: string }> {
    const res = await this.request('GET', '/v2/', { scopes })
    if (res.statusCode !== 200) await this.fail(res, 'its API (/v2/)')
    drain(res)
    return { auth: (this.challenge?.scheme as 'basic' | 'bearer' | undefined) ?? 'none', scheme: (await this.resolveBase()).protocol.replace(':', '') }
  }

  /** One page of `_catalog`, or null when the registry has none (Docker Hub, GHCR: browse by name). */
  async catalog(n = 1000, last?: string): Promise<{ repositories: string[]; next: string | null } | null> {
    const q = new URLSearchParams({ n: String(n) })
    if (last) q.set('last', last)
    const res = await this.request('GET', `/v2/_catalog?${q}`, { scopes: ['registry:catalog:*'] })
    if ([401, 403, 404, 405].includes(res.statusCode ?? 0)) {
      drain(res)
      return null
    }
    if (res.statusCode !== 200) await this.fail(res, 'the repository list')
    const body = JSON.parse((await readBody(res)).toString('utf8')) as { repositories?: string[] }
    const repositories = body.repositories ?? []
    const next = /<[^>]*[?&]last=([^&>]+)[^>]*>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''))
    return { repositories, next: next ? decodeURIComponent(next[1]) : null }
  }

  /** Every tag of a repository (following `Link` pages). */
  async tags(repo: string): Promise<string[]> {
    const out: string[] = []
    let path: string | null = `/v2/${repo}/tags/list?n=1000`
    for (let pages = 0; path && pages < 1000; pages++) {
      const res = await this.request('GET', path, { scopes: [pullScope(repo)] })
      if (res.statusCode !== 200) await this.fail(res, `repository ${repo}`)
      const body = JSON.parse((await readBody(res)).toString('utf8')) as { tags?: string[] | null }
      out.push(...(body.tags ?? []))
      const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''))
      path = link ? link[1] : null
    }
    return out
  }

  /** A manifest's exact bytes (never re-encoded), checked against the digest it was asked by; null on 404. */
  async manifest(repo: string, reference: string, accept = MANIFEST_ACCEPT): Promise<RemoteManifest | null> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, { scopes: [pullScope(repo)], headers: { Accept: accept } })
    if (res.statusCode === 404) {
      drain(res)
      return null
    }
    if (res.statusCode !== 200) await this.fail(res, `${repo}:${reference}`)
    const bytes = await readBody(res, MANIFEST_LIMIT)
    const asked = parseDigest(reference)
    const algorithm: DigestAlgorithm = typeof asked === 'object' ? asked.algorithm : 'sha256'
    const digest = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`
    if (typeof asked === 'object' && asked.value !== digest)
      throw new BerthError('REMOTE_FAILED', `${this.registry} sent a manifest for ${repo}@${asked.value} whose content has digest ${digest}; the registry is damaged or something altered the answer.`)
    let mediaType = essence(res.headers['content-type'])
    if (!mediaType || mediaType === 'application/json' || mediaType === 'text/plain') mediaType = mediaTypeOf(parseJson(bytes))
    return { bytes, mediaType, digest }
  }

  /** What a tag points at now (HEAD), or null when the registry does not have it. */
  async resolve(repo: string, reference: string): Promise<{ digest: string; mediaType: string } | null> {
    const res = await this.request('HEAD', `/v2/${repo}/manifests/${reference}`, { scopes: [pullScope(repo)], headers: { Accept: MANIFEST_ACCEPT } })
    drain(res)
    if (res.statusCode === 404) return null
    if (res.statusCode !== 200) await this.fail(res, `${repo}:${reference}`)
    const digest = res.headers['docker-content-digest']
    if (typeof digest === 'string' && digest) return { digest, mediaType: essence(res.headers['content-type']) }
    // Some registries leave the digest out of HEAD: read the manifest and hash it.
    const m = await this.manifest(repo, reference)
    return m ? { digest: m.digest, mediaType: m.mediaType } : null
  }

  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, { scopes: [pushScope(repo)], headers: { 'Content-Type': mediaType }, body: bytes })
    if (res.statusCode !== 201 && res.statusCode !== 200) await this.fail(res, `storing the manifest ${repo}:${reference}`)
    drain(res)
    return String(res.headers['docker-content-digest'] ?? '')
  }

  /** The blob's size when the repository has it, else null. */
  async blobSize(repo: string, digest: string, push = false): Promise<number | null> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, { scopes: [push ? pushScope(repo) : pullScope(repo)] })
    drain(res)
    if (res.statusCode === 404) return null
    if (res.statusCode !== 200) await this.fail(res, `blob ${digest} of ${repo}`)
    const length = Number(res.headers['content-length'])
    return Number.isFinite(length) ? length : 0
  }

  /** Opens a blob from `offset` (Range). The caller reads the stream; nothing is buffered. */
  async openBlob(repo: string, digest: string, offset = 0, signal?: AbortSignal): Promise<BlobStream> {
    const headers: OutgoingHttpHeaders = offset > 0 ? { Range: `bytes=${offset}-` } : {}
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, { scopes: [pullScope(repo)], headers, signal })
    if (res.statusCode === 206) {
      const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(String(res.headers['content-range'] ?? ''))
      return { stream: res, start: m ? Number(m[1]) : offset, total: m && m[2] !== '*' ? Number(m[2]) : null }
    }
    if (res.statusCode !== 200) await this.fail(res, `blob ${digest} of ${repo}`)
    const length = Number(res.headers['content-length'])
    return { stream: res, start: 0, total: Number.isFinite(length) ? length : null }
  }

  /** Cross-repository mount; when the registry declines it answers an upload to use instead. */
  async mount(repo: string, digest: string, from: string): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const q = new URLSearchParams({ mount: digest, from })
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/?${q}`, { scopes: [pushScope(repo), pullScope(from)] })
    drain(res)
    if (res.statusCode === 201) return { mounted: true }
    if (res.statusCode === 202 && res.headers.location) return { mounted: false, location: (await this.resolveUrl(res.headers.location)).toString() }
    return this.fail(res, `mounting ${digest} into ${repo}`)
  }

  async startUpload(repo: string): Promise<string> {
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/`, { scopes: [pushScope(repo)] })
    if (res.statusCode !== 202 || !res.headers.location) await this.fail(res, `starting an upload to ${repo}`)
    drain(res)
    return (await this.resolveUrl(res.headers.location!)).toString()
  }

  private async resolveUrl(location: string): Promise<URL> {
    return new URL(location, await this.resolveBase())
  }

  /** How many bytes an upload holds (GET on its location), or null when the registry forgot it. */
  async uploadOffset(repo: string, location: string): Promise<number | null> {
    const res = await this.request('GET', new URL(location), { scopes: [pushScope(repo)] })
    drain(res)
    if (res.statusCode === 404) return null
    if (res.statusCode !== 204 && res.statusCode !== 200) await this.fail(res, `the upload to ${repo}`)
    return rangeEnd(res.headers.range)
  }

  /** Appends a stream to an upload (one streamed PATCH). Returns the next location and the size the registry holds. */
  async appendUpload(repo: string, location: string, body: () => Readable, signal?: AbortSignal): Promise<{ location: string; offset: number }> {
    const res = await this.request('PATCH', new URL(location), {
      scopes: [pushScope(repo)],
      headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
      body,
      replayable: false,
      signal
    })
    if (res.statusCode !== 202) await this.fail(res, `uploading to ${repo}`)
    drain(res)
    const next = res.headers.location ? (await this.resolveUrl(res.headers.location)).toString() : location
    return { location: next, offset: rangeEnd(res.headers.range) ?? 0 }
  }

  async finishUpload(repo: string, location: string, digest: string): Promise<void> {
    const url = new URL(location)
    url.searchParams.set('digest', digest)
    const res = await this.request('PUT', url, { scopes: [pushScope(repo)], headers: { 'Content-Type': 'application/octet-stream' } })
    if (res.statusCode !== 201) await this.fail(res, `finishing the upload of ${digest} to ${repo}`)
    drain(res)
  }

  async cancelUpload(repo: string, location: string): Promise<void> {
    const res = await this.request('DELETE', new URL(location), { scopes: [pushScope(repo)] }).catch(() => null)
    if (res) drain(res)
  }
}

/** `Range: 0-N` of an upload → N+1 bytes held. Distribution says `0-0` for an empty upload too: read as 0. */
function rangeEnd(header: string | undefined): number | null {
  const m = /^(?:bytes=)?0-(\d+)$/.exec(header ?? '')
  if (!m) return null
  const end = Number(m[1])
  return end === 0 ? 0 : end + 1
}
