import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import pino, { type Logger } from 'pino'
import { events } from '@shared/contract'
import { CSP_HEADER } from '@shared/csp'
import type { Service } from './service'
import { describeContract, dispatch } from './dispatch'
import { checkHost, checkJson, checkSite, checkToken } from './http-guard'
import { answerFailure, refuse, sendJson } from './http-reply'
import { receiveUpload, UPLOAD_LIMITS, type UploadLimits } from './http-upload'

/*
 * The contract over HTTP for the headless `serve` mode and scripts, on its own loopback port (the
 * registry port stays a pure registry):
 *   GET  /api              methods and events with their JSON Schemas
 *   POST /api/<method>     JSON input (Content-Type: application/json) → { ok, result | error }
 *   GET  /api/events       Server-Sent Events (event: <name>, data: <json>, id; Last-Event-ID replays)
 *   PUT  /api/upload       a file's bytes (an archive dropped into the window) → { ok, result: { path } }
 *   GET  /metrics          Prometheus text format, same token (scrape with `authorization: { credentials: <token> }`)
 *   GET  /…                the built renderer; the page keeps the `?token=` it was opened with
 * Every /api request needs `Authorization: Bearer <token>` and must not come from another origin
 * (http-guard.ts says why a cookie would not do).
 */

const BODY_LIMIT = 1 << 20
const REPLAY = 200
const HEARTBEAT_MS = 15_000
const HOUR = 3_600_000

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

export interface HttpTransportOptions {
  service: Service
  /** The built renderer (out/renderer); null serves the API only. */
  rendererDir: string | null
  token?: string
  log?: Logger
  /** PUT /api/upload's size cap and disk reserve (tests make them small). */
  upload?: Partial<UploadLimits>
  /** Staged uploads nobody imported are removed after this long (at start, then hourly). */
  stagedMaxAgeMs?: number
}

export interface HttpTransport {
  token: string
  listen(port: number, host?: string): Promise<AddressInfo>
  close(): Promise<void>
  /** Removes staged uploads older than `stagedMaxAgeMs`; returns how many (also run at start and hourly). */
  sweepStaged(): Promise<number>
}

class BodyError extends Error {}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > BODY_LIMIT) throw new BodyError('the request body is larger than 1 MiB')
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  try {
    return text === '' ? undefined : JSON.parse(text)
  } catch (err) {
    throw new BodyError((err as Error).message)
  }
}

const sse = (e: { id: number; event: string; data: string }) => `id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const { service } = options
  const log = options.log ?? pino({ level: 'silent' })
  const limits: UploadLimits = { ...UPLOAD_LIMITS, ...options.upload }
  const stagedMaxAgeMs = options.stagedMaxAgeMs ?? 24 * HOUR
  const clients = new Set<ServerResponse>()
  const history: { id: number; event: string; data: string }[] = []
  let nextId = 1
  let port = 0
  let sweepTimer: NodeJS.Timeout | undefined

  /** A write to an event stream that fails ends that stream, never the service's emit. */
  const send = (res: ServerResponse, text: string) => {
    try {
      if (!res.destroyed) res.write(text)
    } catch (err) {
      log.warn({ err }, 'event stream write failed')
      clients.delete(res)
      res.destroy()
    }
  }

  const unsubscribe = service.bus.subscribe((event, payload) => {
    const entry = { id: nextId++, event, data: JSON.stringify(payload) }
    history.push(entry)
    if (history.length > REPLAY) history.shift()
    for (const res of clients) send(res, sse(entry))
  })

  function events$(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
    send(res, 'retry: 2000\n\n')
    const lastId = Number(req.headers['last-event-id'])
    if (req.headers['last-event-id'] !== undefined && Number.isFinite(lastId)) for (const e of history) if (e.id > lastId) send(res, sse(e))
    clients.add(res)
    const beat = setInterval(() => send(res, ': ping\n\n'), HEARTBEAT_MS)
    res.on('close', () => {
      clearInterval(beat)
      clients.delete(res)
    })
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!options.rendererDir) return sendJson(res, 404, { error: 'no user interface in this mode' })
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'the app is read with GET' }, { Allow: 'GET, HEAD', Connection: 'close' })
    const root = normalize(options.rendererDir)
    let decoded: string
    try {
      decoded = decodeURIComponent(url.pathname)
    } catch {
      return sendJson(res, 400, { error: 'bad path' })
    }
    let path = normalize(join(root, decoded))
    if (path !== root && !path.startsWith(root + sep)) return sendJson(res, 400, { error: 'bad path' })
    let st = await stat(path).catch(() => null)
    if (st?.isDirectory()) {
      path = join(path, 'index.html')
      st = await stat(path).catch(() => null)
    }
    if (!st?.isFile()) {
      // A client-side route: the app itself answers.
      path = join(root, 'index.html')
      st = await stat(path).catch(() => null)
      if (!st) return sendJson(res, 404, { error: 'the renderer is not built (npm run build)' })
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Content-Security-Policy': CSP_HEADER,
      'X-Content-Type-Options': 'nosniff',
      // The address may carry the token until the page removes it: never pass it on.
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': extname(path) === '.html' ? 'no-store' : 'max-age=3600'
    })
    if (req.method === 'HEAD') return void res.end()
    // A read error (the file replaced mid-way) ends this response, not the process.
    await pipeline(createReadStream(path), res)
  }

  /** The registry's metrics: the same token as the API (Prometheus sends it as a bearer credential). */
  async function metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkSite(req, port) ?? checkToken(req, token)
    if (refusal) return refuse(res, refusal, { Connection: 'close' })
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Read /metrics with GET.' } }, { Allow: 'GET, HEAD' })
    const text = await service.metrics.text()
    res.writeHead(200, { 'Content-Type': service.metrics.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : text)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const badHost = checkHost(req, port)
    if (badHost) return refuse(res, badHost, { Connection: 'close' })
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    if (url.pathname === '/metrics') return metrics(req, res)
    if (!url.pathname.startsWith('/api')) return serveStatic(req, res, url)
    // Refused before the body is read: this connection cannot carry another request.
    const refusal = checkSite(req, port) ?? checkToken(req, token)
    if (refusal) return refuse(res, refusal, { Connection: 'close' })
    if (url.pathname === '/api' && req.method === 'GET') return sendJson(res, 200, describeContract(events))
    if (url.pathname === '/api/events' && req.method === 'GET') return events$(req, res)
    if (url.pathname === '/api/upload') {
      if (req.method !== 'PUT') return sendJson(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Send the file with PUT /api/upload.' } }, { Allow: 'PUT', Connection: 'close' })
      return receiveUpload(req, res, { inboxFile: () => service.newInboxFile(), limits, log })
    }
    const m = /^\/api\/([a-zA-Z]+\.[a-zA-Z]+)$/.exec(url.pathname)
    if (!m) return sendJson(res, 404, { ok: false, error: { code: 'UNKNOWN_METHOD', message: `No such endpoint ${url.pathname.slice(0, 200)}.` } }, { Connection: 'close' })
    if (req.method !== 'POST')
      return sendJson(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Call methods with POST and a JSON body.' } }, { Allow: 'POST', Connection: 'close' })
    const notJson = checkJson(req)
    if (notJson) return refuse(res, notJson, { Connection: 'close' })
    let input: unknown
    try {
      input = await readJson(req)
    } catch (err) {
      if (!(err instanceof BodyError)) throw err
      // The body may be only partly read (too large): this connection cannot carry another request.
      return sendJson(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: `The body is not valid JSON: ${err.message}` } }, req.complete ? {} : { Connection: 'close' })
    }
    const envelope = await dispatch(service.api, m[1], input)
    sendJson(res, !envelope.ok && envelope.error.code === 'UNKNOWN_METHOD' ? 404 : 200, envelope)
  }

  const server = createServer((req, res) => {
    // Stream errors are answered by the handler's own path; a listener keeps them from being unhandled.
    req.on('error', (err) => log.debug({ err: err.message }, 'request stream error'))
    res.on('error', (err) => log.debug({ err: err.message }, 'response stream error'))
    try {
      handle(req, res).catch((err) => answerFailure(log, req, res, err))
    } catch (err) {
      answerFailure(log, req, res, err)
    }
  })
  server.on('clientError', (err, socket) => {
    log.debug({ err: err.message }, 'bad request from client')
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    else socket.destroy()
  })

  async function sweepStaged(): Promise<number> {
    const removed = await service.sweepInbox(stagedMaxAgeMs)
    if (removed > 0) log.info({ removed }, 'removed uploads that were never imported')
    return removed
  }
  const sweepQuietly = () => void sweepStaged().catch((err) => log.warn({ err: (err as Error).message }, 'sweeping staged uploads failed'))

  return {
    token,
    sweepStaged,
    listen(p, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(p, host, () => {
          server.off('error', reject)
          const address = server.address() as AddressInfo
          port = address.port
          sweepQuietly()
          sweepTimer = setInterval(sweepQuietly, HOUR)
          sweepTimer.unref()
          resolve(address)
        })
      })
    },
    close() {
      clearInterval(sweepTimer)
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
