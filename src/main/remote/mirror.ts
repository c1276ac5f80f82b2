import type { Logger } from 'pino'
import pino from 'pino'
import { isDigest, parseDigest, type Digest } from '@shared/reference'
import type { PullThrough } from '../registry/pull-through'
import type { Storage } from '../storage'
import { copyBlob } from './blob-copy'
import { CacheLedger } from './cache-ledger'
import { RegistryClient } from './client'
import type { CredentialLookup } from './credentials'
import { RemoteEndpoint } from './endpoint'
import { enforceBudget } from './evict'
import { LocalEndpoint } from './local-endpoint'
import { routeOf, type MirrorSpec, type Route } from './mirror-spec'
import { noResume } from './resume'

// Berth's pull-through cache. A pull of something Berth does not hold is fetched from the upstream
// into the data folder and then served like anything pushed; a cached tag is checked with the
// upstream (HEAD) once its TTL has passed, and served from the cache whenever the upstream does not
// answer. Pushes are untouched: a tag someone pushed is theirs, never overwritten from upstream.
//
// Manifests are stored as soon as they are fetched, their blobs when a client asks for them (as
// Distribution's proxy does): a client pulling one platform of an index fetches only that one.
// Hence the manifest goes in through the blob store and links (blobs.putBytes, repos.linkRevision,
// repos.tag) rather than manifests.put, which insists every blob is already there; its bytes are
// verified against their digest first, and blobs go through uploads (digest-checked on commit).

export interface MirrorStats {
  /** Manifest pulls answered from the cache (fresh, revalidated, or stale while the upstream is down). */
  hits: number
  /** Manifest pulls that had to fetch from the upstream. */
  misses: number
  blobsFetched: number
  bytesFetched: number
  /** Pulls served stale because the upstream did not answer. */
  upstreamErrors: number
  evictedTags: number
}

export interface MirrorOptions {
  storage: Storage
  specs: MirrorSpec[]
  /** How long a cached tag is served without asking the upstream (default 60 s). */
  ttlMs?: number
  /** Cache size budget in bytes (blobs of cached tags); least recently pulled tags go first. */
  budgetBytes?: number | null
  credentials?: CredentialLookup
  log?: Logger
}

export class Mirror implements PullThrough {
  readonly stats: MirrorStats = { hits: 0, misses: 0, blobsFetched: 0, bytesFetched: 0, upstreamErrors: 0, evictedTags: 0 }
  readonly ledger: CacheLedger
  private readonly clients = new Map<string, RegistryClient>()
  private readonly inFlight = new Map<string, Promise<boolean>>()
  private readonly log: Logger
  private evicting: Promise<void> | null = null
  private evictAgain = false

  constructor(private readonly options: MirrorOptions) {
    this.ledger = new CacheLedger(options.storage.layout)
    this.log = options.log ?? pino({ level: 'silent' })
  }

  get specs(): readonly MirrorSpec[] {
    return this.options.specs
  }

  private client(spec: MirrorSpec): RegistryClient {
    let c = this.clients.get(spec.url)
    if (!c) {
      // Few retries: a client is waiting, and a cache that answers stale beats one that hangs.
      c = new RegistryClient({ registry: spec.registry, tlsVerify: spec.tlsVerify, credentials: this.options.credentials, log: this.log, retry: { retries: 1, baseMs: 200 } })
      this.clients.set(spec.url, c)
    }
    return c
  }

  /** Runs one fetch per key at a time: a hundred clients pulling one layer cause one download. */
  private once(key: string, fn: () => Promise<boolean>): Promise<boolean> {
    let p = this.inFlight.get(key)
    if (!p) {
      p = fn().finally(() => this.inFlight.delete(key))
      this.inFlight.set(key, p)
    }
    return p
  }

  async manifest(name: string, reference: string): Promise<boolean> {
    const route = routeOf(this.options.specs, name)
    if (!route) return false
    return this.once(`m\u0000${name}\u0000${reference}`, () => (isDigest(reference) ? this.byDigest(route, name, reference) : this.byTag(route, name, reference)))
  }

  private async byDigest(route: Route, name: string, reference: string): Promise<boolean> {
    const { storage } = this.options
    if (await storage.manifests.resolve(name, parseDigest(reference) as Digest)) {
      this.stats.hits++
      return false
    }
    const m = await this.client(route.spec).manifest(route.upstreamName, reference).catch((err) => this.upstreamDown(route, err))
    if (!m) return false
    await this.store(name, null, m.bytes, m.mediaType)
    this.stats.misses++
    return true
  }

  private async byTag(route: Route, name: string, tag: string): Promise<boolean> {
    const { storage } = this.options
    const now = Date.now()
    const current = await storage.repos.resolveTag(name, tag)
    const entry = await this.ledger.get(name, tag)
    const cached = current !== null && entry !== null && entry.digest === current.value
    // A tag someone pushed to Berth is theirs: served as it is, never replaced from upstream.
    if (current && !cached) return false
    if (cached && now - entry.validatedAt < (this.options.ttlMs ?? 60_000)) {
      this.stats.hits++
      await this.ledger.touch(name, tag, { pulledAt: now })
      return false
    }
    const client = this.client(route.spec)
    const head = await client.resolve(route.upstreamName, tag).catch((err) => this.upstreamDown(route, err))
    if (!head) {
      if (cached) {
        this.stats.hits++
        await this.ledger.touch(name, tag, { pulledAt: now })
      }
      return false
    }
    if (cached && head.digest === entry.digest) {
      this.stats.hits++
      await this.ledger.touch(name, tag, { pulledAt: now, validatedAt: now })
      return false
    }
    const m = await client.manifest(route.upstreamName, head.digest).catch((err) => this.upstreamDown(route, err))
    if (!m) return false
    await this.store(name, tag, m.bytes, m.mediaType)
    await this.ledger.put({ repository: name, tag, digest: m.digest, upstream: route.spec.url, fetchedAt: now, validatedAt: now, pulledAt: now })
    this.stats.misses++
    this.log.info({ repository: name, tag, digest: m.digest, upstream: route.spec.url }, 'pull-through: cached a tag')
    this.scheduleBudget()
    return true
  }

  private upstreamDown(route: Route, err: unknown): null {
    this.stats.upstreamErrors++
    this.log.warn({ upstream: route.spec.url, err: (err as Error).message }, 'pull-through: upstream did not answer; serving the cache')
    return null
  }

  private async store(name: string, tag: string | null, bytes: Buffer, mediaType: string): Promise<void> {
    await this.options.storage.manifests.putAhead(name, tag, bytes, mediaType)
  }

  async blob(name: string, digest: Digest): Promise<boolean> {
    const route = routeOf(this.options.specs, name)
    if (!route) return false
    const { storage } = this.options
    return this.once(`b\u0000${name}\u0000${digest.value}`, async () => {
      // Content-addressed: another cached repository may hold the bytes already.
      if (await storage.repository(name).mountFrom(digest, null)) return true
      try {
        const source = new RemoteEndpoint(this.client(route.spec))
        const size = await source.blobSize(route.upstreamName, digest.value)
        if (size === null) return false
        await copyBlob({ source, sourceRepo: route.upstreamName, target: new LocalEndpoint(storage), targetRepo: name, digest: digest.value, size, resume: noResume, attempts: 3 })
        this.stats.blobsFetched++
        this.stats.bytesFetched += size
        this.scheduleBudget()
        return true
      } catch (err) {
        this.upstreamDown(route, err)
        return false
      }
    })
  }

  /** Keeps the cache under its budget: one eviction at a time, another right after if more came meanwhile. */
  scheduleBudget(): void {
    if (!this.options.budgetBytes) return
    if (this.evicting) {
      this.evictAgain = true
      return
    }
    this.evicting = (async () => {
      do {
        this.evictAgain = false
        try {
          const evicted = await enforceBudget(this.options.storage, this.ledger, this.options.budgetBytes!)
          this.stats.evictedTags += evicted.length
          if (evicted.length) this.log.info({ evicted: evicted.map((e) => `${e.repository}:${e.tag}`) }, 'pull-through: evicted least recently pulled tags')
        } catch (err) {
          this.log.warn({ err: (err as Error).message }, 'pull-through: eviction failed')
        }
      } while (this.evictAgain)
    })().finally(() => (this.evicting = null))
  }

  /** Resolves when no eviction runs (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.evicting) await this.evicting
    await this.ledger.flush()
  }
}
