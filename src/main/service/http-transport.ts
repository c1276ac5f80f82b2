import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pipeline } from 'node:stream/promises'
import { extname, join, normalize, sep } from 'node:path'
import { events } from '@shared/contract'
import type { Service } from './service'
import { describeContract, dispatch } from './dispatch'

/*
 * The contract over HTTP for the headless `serve` mode and scripts, on its own loopback port (the
 * registry port stays a pure registry):
 *   GET  /api              methods and events with their JSON Schemas
 *   POST /api/<method>     JSON input → { ok, result | error }
 *   GET  /api/events       Server-Sent Events (event: <name>, data: <json>, id; Last-Event-ID replays)
 *   PUT  /api/upload       a file's bytes (an archive dropped into the window) → { ok, result: { path } }
 *   GET  /metrics          Prometheus text format (scrape with `authorization: { credentials: <token> }`)
 *   GET  /…                the built renderer; `/?token=…` sets the session cookie
 * Every /api request needs `Authorization: Bearer <token>` or that cookie, because it can drive Docker.
 */

const COOKIE = 'berth_token'
const BODY_LIMIT = 1 << 20
const REPLAY = 200
const HEARTBEAT_MS = 15_000

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

export interface HttpTransportOptions {
  service: Service
  /** The built renderer (out/renderer); null serves the API only. */
  rendererDir: string | null
  token?: string
}

export interface HttpTransport {
  token: string
  listen(port: number, host?: string): Promise<AddressInfo>
  close(): Promise<void>
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return undefined
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > BODY_LIMIT) throw new Error('the request body is larger than 1 MiB')
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  return text === '' ? undefined : JSON.parse(text)
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const { service } = options
  const clients = new Set<ServerResponse>()
  const history: { id: number; event: string; data: string }[] = []
  let nextId = 1
  let port = 0

  const unsubscribe = service.bus.subscribe((event, payload) => {
    const entry = { id: nextId++, event, data: JSON.stringify(payload) }
    history.push(entry)
    if (history.length > REPLAY) history.shift()
    for (const res of clients) res.write(`id: ${entry.id}\nevent: ${entry.event}\ndata: ${entry.data}\n\n`)
  })

  function authorized(req: IncomingMessage): boolean {
    const auth = req.headers.authorization
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined
    return sameToken(bearer, token) || sameToken(cookie(req, COOKIE), token)
  }

  /** Only loopback names: a page on another site cannot reach us through DNS rebinding. */
  function hostAllowed(req: IncomingMessage): boolean {
    const host = (req.headers.host ?? '').toLowerCase()
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host)
  }

  function events$(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
    res.write('retry: 2000\n\n')
    const lastId = Number(req.headers['last-event-id'])
    if (Number.isFinite(lastId)) for (const e of history) if (e.id > lastId) res.write(`id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`)
    clients.add(res)
    const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS)
    req.on('close', () => {
      clearInterval(beat)
      clients.delete(res)
    })
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!options.rendererDir) return json(res, 404, { error: 'no user interface in this mode' })
    if (url.searchParams.has('token')) {
      const given = url.searchParams.get('token') ?? ''
      if (sameToken(given, token)) res.setHeader('Set-Cookie', `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`)
    }
    const root = normalize(options.rendererDir)
    let decoded: string
    try {
      decoded = decodeURIComponent(url.pathname)
    } catch {
      return json(res, 400, { error: 'bad path' })
    }
    let path = normalize(join(root, decoded))
    if (path !== root && !path.startsWith(root + sep)) return json(res, 400, { error: 'bad path' })
    let st = await stat(path).catch(() => null)
    if (st?.isDirectory()) {
      path = join(path, 'index.html')
      st = await stat(path).catch(() => null)
    }
    if (!st) {
      // A client-side route: the app itself answers.
      path = join(root, 'index.html')
      st = await stat(path).catch(() => null)
      if (!st) return json(res, 404, { error: 'the renderer is not built (npm run build)' })
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': extname(path) === '.html' ? 'no-store' : 'max-age=3600'
    })
    if (req.method === 'HEAD') return void res.end()
    createReadStream(path).pipe(res)
  }

  /**
   * PUT /api/upload: a file dropped into the browser window (a browser gives no path), streamed to
   * the data folder's staging area; answers its path for `storage.import`, which removes it after.
   */
  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'PUT') {
      res.setHeader('Allow', 'PUT')
      return json(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Send the file with PUT /api/upload.' } })
    }
    const dir = await service.stagingDir()
    const path = join(dir, `upload-${randomBytes(8).toString('hex')}.tar`)
    try {
      await pipeline(req, createWriteStream(path, { flags: 'wx' }))
    } catch (err) {
      await rm(path, { force: true })
      if (req.destroyed && !req.complete) return void res.destroy()
      return json(res, 500, { ok: false, error: { code: 'INTERNAL', message: `The file could not be stored: ${(err as Error).message}` } })
    }
    json(res, 200, { ok: true, result: { path } })
  }

  /** The registry's metrics: the same token as the API (Prometheus sends it as a bearer credential). */
  async function metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorized(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="berth"')
      return json(res, 401, { ok: false, error: { code: 'INVALID_INPUT', message: 'Scrape /metrics with the token: authorization: { credentials: <token> } in prometheus.yml.' } })
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return json(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Read /metrics with GET.' } })
    }
    const text = await service.metrics.text()
    res.writeHead(200, { 'Content-Type': service.metrics.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : text)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) return json(res, 403, { ok: false, error: { code: 'INVALID_INPUT', message: 'Use http://127.0.0.1 or localhost to reach Berth.' } })
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    if (url.pathname === '/metrics') return metrics(req, res)
    if (!url.pathname.startsWith('/api')) return serveStatic(req, res, url)
    if (!authorized(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="berth"')
      return json(res, 401, { ok: false, error: { code: 'INVALID_INPUT', message: 'Berth needs its token: open the address `berth serve` printed, or send Authorization: Bearer <token>.' } })
    }
    if (url.pathname === '/api' && req.method === 'GET') return json(res, 200, describeContract(events))
    if (url.pathname === '/api/events' && req.method === 'GET') return events$(req, res)
    if (url.pathname === '/api/upload') return upload(req, res)
    const m = /^\/api\/([a-zA-Z]+\.[a-zA-Z]+)$/.exec(url.pathname)
    if (!m) return json(res, 404, { ok: false, error: { code: 'UNKNOWN_METHOD', message: `No such endpoint ${url.pathname}.` } })
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      return json(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Call methods with POST and a JSON body.' } })
    }
    let input: unknown
    try {
      input = await readJson(req)
    } catch (err) {
      // The body may be only partly read (too large): this connection cannot carry another request.
      if (!req.complete) res.setHeader('Connection', 'close')
      return json(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: `The body is not valid JSON: ${(err as Error).message}` } })
    }
    const envelope = await dispatch(service.api, m[1], input)
    json(res, !envelope.ok && envelope.error.code === 'UNKNOWN_METHOD' ? 404 : 200, envelope)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) json(res, 500, { ok: false, error: { code: 'INTERNAL', message: (err as Error).message } })
      else res.destroy()
    })
  })

  return {
    token,
    listen(p, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(p, host, () => {
          server.off('error', reject)
          const address = server.address() as AddressInfo
          port = address.port
          resolve(address)
        })
      })
    },
    close() {
      unsubscribe()
      for (const res of clients) res.end()
      clients.clear()
      return new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
