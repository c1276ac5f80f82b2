import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createHttpTransport, type HttpTransport } from '../../src/main/service/http-transport'
import { createService, type Service } from '../../src/main/service/service'
import { EVENT_NAMES, METHOD_NAMES } from '../../src/shared/contract'
import type { Transfer } from '../../src/shared/model/docker'
import { NAME_RULE } from '../../src/shared/reference'
import { tinyOciLayout, writeTar } from '../helpers/archives'
import { tempDir } from '../helpers/berth'
import { freePort } from '../helpers/distribution'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// The contract over HTTP (what `berth serve` offers scripts and the browser UI): auth by Bearer token
// only (no cookie), loopback Host only, the JSON Schema listing, the envelope, and events as Server-Sent Events.

type SseEvent = { id: string | null; event: string; data: unknown }

/** An open `GET /api/events`, parsed as it arrives. */
async function openEvents(url: string, headers: Record<string, string>) {
  const controller = new AbortController()
  const res = await fetch(`${url}/api/events`, { headers, signal: controller.signal })
  const received: SseEvent[] = []
  let raw = ''
  let ended = false
  const pump = (async () => {
    if (!res.body) return
    const reader = res.body.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        const text = decoder.decode(value, { stream: true })
        raw += text
        buffer += text
        let cut: number
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          let id: string | null = null
          let event = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue
            const colon = line.indexOf(':')
            const field = colon === -1 ? line : line.slice(0, colon)
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
            if (field === 'id') id = value
            else if (field === 'event') event = value
            else if (field === 'data') data.push(value)
          }
          if (data.length) received.push({ id, event, data: JSON.parse(data.join('\n')) })
        }
      }
    } catch {
      // aborted
    } finally {
      ended = true
    }
  })()
  return {
    res,
    received,
    raw: () => raw,
    ended: () => ended,
    of: <T>(name: string, since = 0) => received.slice(since).filter((e) => e.event === name).map((e) => e.data as T),
    mark: () => received.length,
    async close() {
      controller.abort()
      await pump
    }
  }
}

/** A raw request (fetch will not send another Host, nor an unnormalized path). */
function rawRequest(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(`${url}${path}`, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    r.on('error', reject)
    r.end()
  })
}

describeWith({ docker: true }, 'the HTTP transport over the service', () => {
  let service: Service
  let transport: HttpTransport
  let url: string
  let token: string
  let rendererDir: string
  let dataDir: string
  const localRefs: string[] = []
  const RUN = `${process.pid}`
  const auth = () => ({ Authorization: `Bearer ${token}` })
  const post = async (method: string, input?: unknown, headers: Record<string, string> = auth()) => {
    const res = await fetch(`${url}/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: input === undefined ? undefined : JSON.stringify(input)
    })
    return { status: res.status, body: (await res.json()) as { ok: boolean; result?: unknown; error?: { code: string; message: string } } }
  }

  beforeAll(async () => {
    rendererDir = await tempDir('berth-renderer-')
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Berth</title><p>app</p>')
    await mkdir(join(rendererDir, 'assets'))
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("berth")')
    dataDir = await tempDir('berth-http-data-')
    service = createService({ settingsFile: null, defaults: { port: await freePort(), host: '127.0.0.1', dataDir, startOnLaunch: false, startAtLogin: false } })
    await service.init({ startRegistry: true })
    transport = createHttpTransport({ service, rendererDir })
    const address = await transport.listen(0)
    url = `http://127.0.0.1:${address.port}`
    token = transport.token
  })

  afterAll(async () => {
    await transport?.close()
    await service?.dispose()
    for (const ref of localRefs) await run('docker', ['rmi', '-f', ref]).catch(() => {})
    await rm(rendererDir, { recursive: true, force: true })
    await rm(dataDir, { recursive: true, force: true })
  })

  it('has a random, URL-safe token', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const other = createHttpTransport({ service, rendererDir: null })
    expect(other.token).not.toBe(token)
  })

  it('GET /api needs the token, then lists every method and event of the contract with JSON Schemas', async () => {
    const none = await fetch(`${url}/api`)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="berth"')
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/token/)
    expect((await fetch(`${url}/api`, { headers: { Authorization: `Bearer ${token}x` } })).status).toBe(401)
    expect((await fetch(`${url}/api`, { headers: { Authorization: token } })).status).toBe(401)
    expect((await fetch(`${url}/api/registry.status`, { method: 'POST' })).status).toBe(401)
    expect((await fetch(`${url}/api/events`)).status).toBe(401)

    const res = await fetch(`${url}/api`, { headers: auth() })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const listing = (await res.json()) as {
      methods: { name: string; doc: string; input: Record<string, unknown>; output: Record<string, unknown> }[]
      events: { name: string; doc: string; payload: Record<string, unknown> }[]
    }
    expect(listing.methods.map((m) => m.name).sort()).toEqual([...METHOD_NAMES].sort())
    expect(listing.events.map((e) => e.name).sort()).toEqual([...EVENT_NAMES].sort())
    for (const m of listing.methods) {
      expect(m.doc.length, m.name).toBeGreaterThan(10)
      expect(m.input.$schema, `${m.name} input`).toMatch(/json-schema\.org/)
      expect(m.output.$schema, `${m.name} output`).toMatch(/json-schema\.org/)
      // Every output is described (none fell back to the empty schema).
      expect(Object.keys(m.output).length, `${m.name} output`).toBeGreaterThan(1)
    }
    for (const e of listing.events) expect(Object.keys(e.payload).length, e.name).toBeGreaterThan(1)
    const push = listing.methods.find((m) => m.name === 'docker.push')!
    expect(push.input).toMatchObject({ type: 'object', required: ['image', 'repository', 'tag'], additionalProperties: false })
    expect((push.input.properties as Record<string, { pattern?: string }>).repository.pattern).toBeTruthy()
    expect(listing.methods.find((m) => m.name === 'catalog.tags')!.output).toMatchObject({ type: 'array' })
  })

  it('POST /api/<method> answers the envelope; bad input, unknown methods and wrong verbs are told', async () => {
    const status = await post('registry.status')
    expect(status.status).toBe(200)
    expect(status.body).toMatchObject({ ok: true, result: { state: 'running', host: '127.0.0.1', dataDir } })
    // An empty object and JSON null are "no input" too.
    expect((await post('registry.status', {})).body.ok).toBe(true)
    expect((await post('registry.status', null)).body.ok).toBe(true)
    expect((await post('settings.get')).body).toMatchObject({ ok: true, result: { host: '127.0.0.1', dataDir } })

    const bad = await post('catalog.tags', { repository: 'Not/Valid' })
    expect(bad.status).toBe(200)
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: `repository: A repository name is ${NAME_RULE}.` } })
    expect((await post('catalog.tags', {})).body).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect((await post('catalog.tags', 'svc/app')).body).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect((await post('registry.status', { extra: 1 })).body).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    // A service error keeps its code.
    expect((await post('catalog.tags', { repository: 'svc/none' })).body).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })

    const unknown = await post('registry.explode')
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'Berth has no method registry.explode.' } })
    const proto = await post('__proto__.toString')
    expect(proto.status).toBe(404)
    const nowhere = await fetch(`${url}/api/not/a/method`, { method: 'POST', headers: auth() })
    expect(nowhere.status).toBe(404)
    const get = await fetch(`${url}/api/registry.status`, { headers: auth() })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')

    const notJson = await fetch(`${url}/api/registry.status`, { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: '{"a":' })
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT')
    const huge = await fetch(`${url}/api/catalog.tags`, { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: JSON.stringify({ repository: 'a'.repeat(2 << 20) }) }).catch((err: Error) => err)
    // Either a 400 that says why, or the connection cut while still sending: never a 500 or a hang.
    if (huge instanceof Error) expect(huge.message).toMatch(/fetch failed|socket|reset|closed/i)
    else {
      expect(huge.status).toBe(400)
      expect(((await huge.json()) as { error: { message: string } }).error.message).toMatch(/larger than 1 MiB/)
    }
    // Still serving after all that.
    expect((await post('registry.status')).body.ok).toBe(true)
  })

  it('refuses Host names other than loopback (DNS rebinding), even with the token', async () => {
    const port = new URL(url).port
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.nip.io:${port}`, '127.0.0.1']) {
      const r = await rawRequest(url, '/api', { ...auth(), Host: host })
      expect(r.status, host).toBe(403)
      expect(JSON.parse(r.body).error.message).toMatch(/127\.0\.0\.1 or localhost/)
    }
    const page = await rawRequest(url, `/?token=${token}`, { Host: 'evil.example' })
    expect(page.status).toBe(403)
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) expect((await rawRequest(url, '/api', { ...auth(), Host: host })).status, host).toBe(200)
  })

  it('GET /?token= serves the app with its CSP and sets no cookie: a cookie never authorizes /api', async () => {
    const page = await fetch(`${url}/?token=${encodeURIComponent(token)}`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*object-src 'none'; base-uri 'none'; frame-ancestors 'none'/)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toContain('<title>Berth</title>')
    expect(page.headers.get('set-cookie')).toBeNull()
    expect((await post('registry.status', undefined, { Cookie: `berth_token=${token}` })).status).toBe(401)
    expect((await fetch(`${url}/api`, { headers: { Cookie: `berth_token=${token}` } })).status).toBe(401)

    // A wrong token sets nothing; assets and client-side routes are served without a token.
    const wrong = await fetch(`${url}/?token=nope`)
    expect(wrong.status).toBe(200)
    expect(wrong.headers.get('set-cookie')).toBeNull()
    const asset = await fetch(`${url}/assets/app.js`)
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await asset.text()).toBe('console.log("berth")')
    expect(await (await fetch(`${url}/repositories/svc/app`)).text()).toContain('<title>Berth</title>')
    // Nothing outside the renderer folder.
    // Encoded slashes climbing out are refused; dot segments are resolved by URL parsing first, so they
    // land on a (missing) file inside the folder and get the app, as any client-side route does.
    for (const [path, status] of [['/..%2f..%2f..%2fetc%2fpasswd', 400], ['/assets/..%2f..%2f..%2fetc%2fpasswd', 400], ['/%2e%2e/%2e%2e/etc/passwd', 200]] as const) {
      const r = await rawRequest(url, path, {})
      expect(r.body, path).not.toMatch(/root:/)
      expect(r.status, path).toBe(status)
    }
    const malformed = await rawRequest(url, '/%E0%A4%A', {})
    expect(malformed.status).toBe(400)
  })

  it('streams events: registry.status on stop/start, transfer.progress and catalog.changed on a push; Last-Event-ID replays', async () => {
    const sse = await openEvents(url, auth())
    try {
      expect(sse.res.status).toBe(200)
      expect(sse.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      await expect.poll(() => sse.raw()).toMatch(/^retry: 2000\n\n/)

      expect((await post('registry.stop')).body).toMatchObject({ ok: true, result: { state: 'stopped' } })
      expect((await post('registry.start')).body).toMatchObject({ ok: true, result: { state: 'running' } })
      await expect.poll(() => sse.of<{ state: string }>('registry.status').map((s) => s.state)).toEqual(['stopping', 'stopped', 'starting', 'running'])
      for (const e of sse.received) expect(e.id).toMatch(/^\d+$/)
      const ids = sse.received.map((e) => Number(e.id))
      expect(ids).toEqual([...ids].sort((a, b) => a - b))

      const image = await buildImage(`berth-it-http/app:${RUN}`, { layers: 2, layerBytes: 512 * 1024, message: 'over http' })
      localRefs.push(image)
      const since = sse.mark()
      const pushed = await post('docker.push', { image, repository: 'http/app', tag: 'v1' })
      expect(pushed.body.ok).toBe(true)
      const { transferId, reference } = pushed.body.result as { transferId: string; reference: string }
      localRefs.push(reference)
      await expect
        .poll(() => sse.of<Transfer>('transfer.progress', since).filter((t) => t.id === transferId).at(-1)?.state, { timeout: 120_000, interval: 100 })
        .toBe('done')
      const done = sse.of<Transfer>('transfer.progress', since).filter((t) => t.id === transferId).at(-1)!
      expect(done.overall.percent).toBe(100)
      expect(done.digest).toMatch(/^sha256:/)
      await expect.poll(() => sse.of<{ repository: string; action: string }>('catalog.changed', since)).toContainEqual({ repository: 'http/app', action: 'push', reference: 'v1' })
      expect((await post('catalog.tags', { repository: 'http/app' })).body).toMatchObject({ ok: true, result: [{ tag: 'v1', digest: done.digest }] })
      expect((await post('transfers.list')).body).toMatchObject({ ok: true, result: [{ id: transferId, state: 'done' }] })

      // A reconnecting client gets what it missed.
      const lastSeen = sse.received[since - 1]?.id ?? sse.received[0].id!
      const replay = await openEvents(url, { ...auth(), 'Last-Event-ID': lastSeen })
      try {
        await expect.poll(() => replay.of<{ repository: string }>('catalog.changed').some((c) => c.repository === 'http/app')).toBe(true)
        expect(replay.received.every((e) => Number(e.id) > Number(lastSeen))).toBe(true)
        expect(replay.received.map((e) => e.id)).toEqual(sse.received.filter((e) => Number(e.id) > Number(lastSeen)).map((e) => e.id).slice(0, replay.received.length))
      } finally {
        await replay.close()
      }
      // Without Last-Event-ID nothing old is replayed (new events, e.g. registry.activity, may come).
      const newest = Number(sse.received.at(-1)!.id)
      const fresh = await openEvents(url, auth())
      try {
        await expect.poll(() => fresh.raw()).toMatch(/^retry: 2000/)
        await new Promise((r) => setTimeout(r, 200))
        expect(fresh.received.filter((e) => Number(e.id) <= newest)).toEqual([])
      } finally {
        await fresh.close()
      }
    } finally {
      await sse.close()
    }
  })

  it('PUT /api/upload stages a dropped file for storage.import, which imports it and removes the copy; storage.progress streams', async () => {
    const tar = join(await tempDir('berth-upload-'), 'tiny.tar')
    await writeTar(tar, tinyOciLayout('uploaded/app:1.0'))
    const denied = await fetch(`${url}/api/upload`, { method: 'PUT', body: await readFile(tar) })
    expect(denied.status).toBe(401)
    const wrongVerb = await fetch(`${url}/api/upload`, { method: 'POST', headers: auth() })
    expect(wrongVerb.status).toBe(405)
    const stream = await openEvents(url, auth())
    try {
      const up = await fetch(`${url}/api/upload`, { method: 'PUT', headers: { ...auth(), 'Content-Type': 'application/octet-stream' }, body: await readFile(tar) })
      const body = (await up.json()) as { ok: boolean; result: { path: string } }
      expect(body.ok).toBe(true)
      expect(body.result.path.startsWith(join(dataDir, 'berth'))).toBe(true)
      const imported = await post('storage.import', { file: body.result.path })
      expect(imported.body).toMatchObject({ ok: true, result: { format: 'oci-archive', images: [{ repository: 'uploaded/app', tag: '1.0' }] } })
      await expect(stat(body.result.path)).rejects.toThrow()
      const tags = await post('catalog.tags', { repository: 'uploaded/app' })
      expect((tags.body.result as { tag: string }[]).map((t) => t.tag)).toEqual(['1.0'])
      await expect.poll(() => stream.of<{ operation: string; finished: boolean }>('storage.progress').some((p) => p.operation === 'import' && p.finished)).toBe(true)
      // A file that is no archive: a readable refusal, and its staged copy is gone too.
      const junk = await fetch(`${url}/api/upload`, { method: 'PUT', headers: auth(), body: 'not a tar at all' })
      const junkPath = ((await junk.json()) as { result: { path: string } }).result.path
      const refused = await post('storage.import', { file: junkPath })
      expect(refused.body.ok).toBe(false)
      expect(refused.body.error!.code).toBe('INVALID_INPUT')
      await expect(stat(junkPath)).rejects.toThrow()
    } finally {
      await stream.close()
    }
  })

  it('the event stream needs the Bearer token (a cookie will not do); closing the transport ends open streams', async () => {
    expect((await fetch(`${url}/api/events`, { headers: { Cookie: `berth_token=${token}` } })).status).toBe(401)
    const sse = await openEvents(url, auth())
    expect(sse.res.status).toBe(200)
    const since = sse.mark()
    await post('registry.restart')
    await expect.poll(() => sse.of<{ state: string }>('registry.status', since).map((s) => s.state)).toEqual(['stopping', 'stopped', 'starting', 'running'])

    // A second transport on the same service: closing it ends its stream and frees its port.
    const second = createHttpTransport({ service, rendererDir: null })
    const address = await second.listen(await freePort())
    const secondUrl = `http://127.0.0.1:${address.port}`
    const other = await openEvents(secondUrl, { Authorization: `Bearer ${second.token}` })
    expect(other.res.status).toBe(200)
    expect((await fetch(`${secondUrl}/`)).status).toBe(404)
    // Its token is its own.
    expect((await fetch(`${secondUrl}/api`, { headers: auth() })).status).toBe(401)
    await second.close()
    await expect.poll(() => other.ended(), { timeout: 5000 }).toBe(true)
    await expect(fetch(`${secondUrl}/api`)).rejects.toThrow()
    await other.close()

    // The first transport still streams.
    const after = sse.mark()
    await post('registry.restart')
    await expect.poll(() => sse.of<{ state: string }>('registry.status', after).length).toBe(4)
    await sse.close()
  })
})
