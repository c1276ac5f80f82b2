import { createHash } from 'node:crypto'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AccountStore } from '../../src/main/accounts/store'
import { createBasicAuth, type AccountSource } from '../../src/main/registry/auth'
import { LoginThrottle } from '../../src/main/registry/login-throttle'
import type { RequestRecord } from '../../src/main/registry/observe'
import { createRegistryServer, type RegistryServer } from '../../src/main/registry/server'
import { openStorage } from '../../src/main/storage'
import { tempDir } from '../helpers/berth'

// Basic auth and roles on the real registry server, over HTTP, with real accounts (bcrypt).

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`

interface Served {
  url: string
  server: RegistryServer
  records: RequestRecord[]
  logText: () => string
  verifies: () => number
}

async function serve(store: AccountStore, options: { anonymousPull?: boolean; throttle?: LoginThrottle } = {}): Promise<Served> {
  const storage = await openStorage(await tempDir('berth-auth-'))
  let text = ''
  const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _e, cb) => ((text += chunk), cb()) }))
  let verifies = 0
  // The real store, counted: how often bcrypt runs.
  const accounts: AccountSource = {
    verify: (n, p) => (verifies++, store.verify(n, p)),
    refresh: () => store.refresh(),
    get generation() {
      return store.generation
    }
  }
  const records: RequestRecord[] = []
  const server = createRegistryServer({
    storage,
    log,
    purgeIntervalMs: 0,
    auth: createBasicAuth({ accounts, anonymousPull: options.anonymousPull, throttle: options.throttle ?? new LoginThrottle() }),
    observe: (r) => records.push(r)
  })
  const { port } = await server.listen(0, '127.0.0.1')
  return { url: `http://127.0.0.1:${port}`, server, records, logText: () => text, verifies: () => verifies }
}

async function pushImage(url: string, auth: string, name: string, tag: string): Promise<Response> {
  const layer = Buffer.from(`layer of ${name}:${tag}`)
  const config = Buffer.from('{}')
  for (const blob of [layer, config]) {
    const res = await fetch(`${url}/v2/${name}/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', body: blob, headers: { Authorization: auth } })
    if (res.status !== 201) return res
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }]
  })
  return fetch(`${url}/v2/${name}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { Authorization: auth, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } })
}

let store: AccountStore
let s: Served
beforeAll(async () => {
  store = AccountStore.ofDataDir(await tempDir('berth-auth-accounts-'))
  await store.add('reader', 'pull', 'reader password')
  await store.add('pusher', 'push', 'pusher password')
  await store.add('boss', 'admin', 'boss password')
  s = await serve(store)
})
afterAll(async () => {
  await s.server.close(100)
})

describe('basic auth on a shared registry', () => {
  it('challenges a request without an account as Distribution does: 401, WWW-Authenticate Basic, the spec body', async () => {
    const res = await fetch(`${s.url}/v2/`)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Berth"')
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await res.json()).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] })
    const catalog = await fetch(`${s.url}/v2/_catalog`)
    expect(catalog.status).toBe(401)
  })

  it('refuses a wrong password and an unknown name alike, and lets a right one in', async () => {
    expect((await fetch(`${s.url}/v2/`, { headers: { Authorization: basic('reader', 'nope nope') } })).status).toBe(401)
    expect((await fetch(`${s.url}/v2/`, { headers: { Authorization: basic('nobody', 'reader password') } })).status).toBe(401)
    expect((await fetch(`${s.url}/v2/`, { headers: { Authorization: 'Bearer abc' } })).status).toBe(401)
    expect((await fetch(`${s.url}/v2/`, { headers: { Authorization: basic('reader', 'reader password') } })).status).toBe(200)
  })

  it('gives each role its rights: pull reads, push also pushes, admin also deletes (403 DENIED otherwise)', async () => {
    const denied = await pushImage(s.url, basic('reader', 'reader password'), 'team/app', '1')
    expect(denied.status).toBe(403)
    expect(((await denied.json()) as { errors: { code: string }[] }).errors[0].code).toBe('DENIED')
    expect((await pushImage(s.url, basic('pusher', 'pusher password'), 'team/app', '1')).status).toBe(201)
    const pull = await fetch(`${s.url}/v2/team/app/manifests/1`, { headers: { Authorization: basic('reader', 'reader password'), Accept: 'application/vnd.oci.image.manifest.v1+json' } })
    expect(pull.status).toBe(200)
    const digest = pull.headers.get('docker-content-digest')!
    expect((await fetch(`${s.url}/v2/team/app/tags/list`, { headers: { Authorization: basic('reader', 'reader password') } })).status).toBe(200)
    expect((await fetch(`${s.url}/v2/team/app/manifests/${digest}`, { method: 'DELETE', headers: { Authorization: basic('pusher', 'pusher password') } })).status).toBe(403)
    expect((await fetch(`${s.url}/v2/team/app/manifests/${digest}`, { method: 'DELETE', headers: { Authorization: basic('boss', 'boss password') } })).status).toBe(202)
  })

  it('runs bcrypt once per credential, not per request, and forgets the cache when the accounts change', async () => {
    const before = s.verifies()
    const auth = basic('pusher', 'pusher password')
    for (let i = 0; i < 20; i++) expect((await fetch(`${s.url}/v2/`, { headers: { Authorization: auth } })).status).toBe(200)
    expect(s.verifies() - before).toBeLessThanOrEqual(1)
    // Another process changes the password: the old one stops working at once.
    await AccountStore.ofDataDir(store.dir.replace(/[\\/]berth$/, '')).passwd('pusher', 'a newer password')
    await store.refresh(0)
    expect((await fetch(`${s.url}/v2/`, { headers: { Authorization: auth } })).status).toBe(401)
    expect((await fetch(`${s.url}/v2/`, { headers: { Authorization: basic('pusher', 'a newer password') } })).status).toBe(200)
  })

  it('records the account in the access record and never logs a credential', async () => {
    const secret = 'boss password'
    await fetch(`${s.url}/v2/_catalog`, { headers: { Authorization: basic('boss', secret) } })
    await fetch(`${s.url}/v2/`, { headers: { Authorization: basic('boss', 'wrong secret') } })
    await new Promise((r) => setTimeout(r, 50))
    const mine = s.records.filter((r) => r.route === 'catalog' && r.account === 'boss')
    expect(mine.length).toBeGreaterThan(0)
    expect(s.records.find((r) => r.status === 401)?.account).toBeNull()
    const everything = s.logText() + JSON.stringify(s.records)
    expect(everything).not.toMatch(/Basic [A-Za-z0-9+/=]{4,}/)
    for (const needle of [secret, 'wrong secret', Buffer.from(`boss:${secret}`).toString('base64')]) expect(everything).not.toContain(needle)
  })
})

describe('anonymous pulls', () => {
  it('let anyone read (also skopeo\'s empty credentials) but never write or delete; /v2/ still challenges', async () => {
    const open = await serve(store, { anonymousPull: true })
    try {
      expect((await pushImage(open.url, basic('boss', 'boss password'), 'pub/app', '1')).status).toBe(201)
      expect((await fetch(`${open.url}/v2/pub/app/manifests/1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).status).toBe(200)
      expect((await fetch(`${open.url}/v2/pub/app/tags/list`, { headers: { Authorization: 'Basic Og==' } })).status).toBe(200)
      expect((await fetch(`${open.url}/v2/_catalog`)).status).toBe(200)
      expect((await fetch(`${open.url}/v2/pub/app/blobs/uploads/`, { method: 'POST' })).status).toBe(401)
      expect((await fetch(`${open.url}/v2/pub/app/manifests/1`, { method: 'DELETE' })).status).toBe(401)
      expect((await fetch(`${open.url}/v2/`)).status).toBe(401)
    } finally {
      await open.server.close(100)
    }
  })
})

describe('repeated failures from one address', () => {
  it('are slowed down: 429 TOOMANYREQUESTS with Retry-After once the free tries are used, without running bcrypt', async () => {
    const throttled = await serve(store, { throttle: new LoginThrottle({ freeFailures: 3, baseDelayMs: 60_000 }) })
    try {
      const wrong = { headers: { Authorization: basic('reader', 'guess guess') } }
      const codes: number[] = []
      for (let i = 0; i < 4; i++) codes.push((await fetch(`${throttled.url}/v2/`, wrong)).status)
      // The third failure starts the lockout: the fourth try is not even checked.
      expect(codes).toEqual([401, 401, 401, 429])
      const before = throttled.verifies()
      const res = await fetch(`${throttled.url}/v2/`, { headers: { Authorization: basic('reader', 'reader password') } })
      expect(res.status).toBe(429)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await res.json()) as { errors: { code: string }[] }).errors[0].code).toBe('TOOMANYREQUESTS')
      expect(throttled.verifies()).toBe(before)
    } finally {
      await throttled.server.close(100)
    }
  })
})

describe('login throttle', () => {
  it('doubles the lockout per failure past the free ones, caps it, and forgets after a success or a quiet spell', () => {
    let now = 0
    const t = new LoginThrottle({ freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 4000, forgetAfterMs: 60_000, now: () => now, maxClients: 2 })
    t.failure('a')
    expect(t.retryAfterMs('a')).toBe(0)
    t.failure('a')
    expect(t.retryAfterMs('a')).toBe(1000)
    t.failure('a')
    expect(t.retryAfterMs('a')).toBe(2000)
    t.failure('a')
    t.failure('a')
    expect(t.retryAfterMs('a')).toBe(4000)
    t.success('a')
    expect(t.retryAfterMs('a')).toBe(0)
    for (let i = 0; i < 3; i++) t.failure('b')
    now += 61_000
    expect(t.retryAfterMs('b')).toBe(0)
    for (const c of ['c', 'd', 'e']) for (let i = 0; i < 3; i++) t.failure(c)
    expect(t.retryAfterMs('c')).toBe(0)
    expect(t.retryAfterMs('e')).toBeGreaterThan(0)
  })
})
