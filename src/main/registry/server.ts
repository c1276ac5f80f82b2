import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import pino, { type Logger } from 'pino'
import type { RegistryActivity as RegistryActivityEvent } from '@shared/model/registry'
import { StorageUnavailableError, type Storage } from '../storage'
import { RegistryError } from './errcode'
import { answerFailure, unavailable } from './failure'
import { validName, type RequestContext } from './context'
import { allowedMethods, ROUTES } from './routes'
import { createRequestGuard } from './request-guard'
import type { AuthHook } from './auth'
import { recordOf, requestInfo, type RequestRecord } from './observe'
import type { PullThrough } from './pull-through'

export interface RegistryOptions {
  storage: Storage
  log?: Logger
  /** Uploads untouched this long are deleted (Distribution's default is a week; a laptop wants less). */
  uploadMaxAgeMs?: number
  /** How often abandoned uploads are looked for; 0 turns purging off. */
  purgeIntervalMs?: number
  /** Origins whose web pages may use the registry (request-guard.ts); none by default. */
  allowedOrigins?: readonly string[]
  /** Who may do what (sharing, see auth.ts); absent: everyone may do everything (loopback). */
  auth?: AuthHook
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string }
  /** Every finished request, for the access log and the metrics (observe.ts). */
  observe?: (record: RequestRecord) => void
  /** A pull-through source (see pull-through.ts). */
  pullThrough?: PullThrough
}

/** Requests and bytes since start (the contract's `registry.activity`, without its timestamp). */
export type RegistryActivity = Omit<RegistryActivityEvent, 'at'>

export interface RegistryServer {
  server: Server | HttpsServer
  activity: RegistryActivity
  listen(port: number, host: string): Promise<AddressInfo>
  /** Stops accepting, lets requests in flight finish for `graceMs`, then cuts the rest (their uploads stay on disk). */
  close(graceMs?: number): Promise<void>
  purgeUploads(): Promise<number>
}

const MAX_PATH = 4096
const HOUR = 3_600_000
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** node:https's createServer with the certificate bound, called like node:http's. */
function httpsWith(tls: { cert: string; key: string }) {
  return (options: ServerOptions, listener: RequestListener): HttpsServer => createHttpsServer({ ...options, ...tls }, listener)
}

export function createRegistryServer(options: RegistryOptions): RegistryServer {
  const { storage } = options
  const log = options.log ?? pino({ level: 'silent' })
  const uploadMaxAgeMs = options.uploadMaxAgeMs ?? 24 * HOUR
  const purgeIntervalMs = options.purgeIntervalMs ?? HOUR
  const activity: RegistryActivity = { requests: 0, bytesIn: 0, bytesOut: 0 }

  const guard = createRequestGuard({ allowedOrigins: options.allowedOrigins, boundAddress: () => (server.address() as AddressInfo | null)?.address })

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (guard(req, res)) return
    // A folder that is gone is never served as an empty registry: writes look again first, reads
    // trust the last look (every 2 s, see RootWatch) so a busy disk never slows a ping.
    const problem = WRITES.has(req.method ?? '') ? await storage.root.check() : storage.root.problem
    if (problem) throw unavailable(new StorageUnavailableError(problem))
    const rawUrl = req.url ?? '/'
    const queryAt = rawUrl.indexOf('?')
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)
    // Names, tags, digests and upload ids never need escaping: an encoded byte is a trick, and each part
    // is refused by its own check (a name NAME_INVALID, a digest DIGEST_INVALID, an upload id unknown).
    if (path.length > MAX_PATH) throw new RegistryError('NAME_INVALID', { path: path.slice(0, 200) }, 'the path is over-long')
    for (const route of ROUTES) {
      const m = route.pattern.exec(path)
      if (!m) continue
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET')
      const handler = route.methods[method]
      if (!handler) {
        const allow = allowedMethods(route).join(', ')
        throw new RegistryError('UNSUPPORTED', { method: req.method, allow }, `${req.method} is not supported here`, { Allow: allow })
      }
      const info = requestInfo(req)
      info.route = route.name
      info.repository = route.named ? m[1] : ''
      info.reference = route.named ? (m[2] ?? '') : ''
      if (options.auth) info.account = await options.auth(req, { route: route.name, method, repository: info.repository })
      const ctx: RequestContext = {
        req,
        res,
        query: new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1)),
        name: route.named ? validName(m[1]) : '',
        param: route.named ? (m[2] ?? '') : '',
        storage,
        log,
        head: req.method === 'HEAD',
        pullThrough: options.pullThrough
      }
      await handler(ctx)
      return
    }
    throw new RegistryError('UNSUPPORTED', { path: path.slice(0, 200) }, 'no such endpoint', {}, 404)
  }

  const server = (options.tls ? httpsWith(options.tls) : createServer)(
    {
      // Multi-GiB uploads take as long as they take; only idle header phases are cut.
      requestTimeout: 0,
      headersTimeout: 60_000,
      keepAliveTimeout: 65_000
    },
    (req, res) => {
      activity.requests++
      res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0')
      // Every failure of a request ends here, and answerFailure never rejects: nothing reaches the process.
      dispatch(req, res).catch((err: unknown) => answerFailure({ storage, log }, req, res, err))
    }
  )
  // Bytes in and out, counted per socket when each response ends; the activity getter adds what requests under way moved (sampled, no per-chunk work).
  const counted = new WeakMap<object, { read: number; written: number }>()
  // Not HTTP that node:http can parse (an unknown method, a broken header): still the spec's JSON error.
  const notHttp = JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'the request is not valid HTTP/1.1', detail: null }] })
  server.on('clientError', (err, socket) => {
    try {
      log.debug({ err: err.message }, 'bad request from client')
      if (socket.writable)
        socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(notHttp)}\r\n\r\n${notHttp}`)
      else socket.destroy()
    } catch {
      socket.destroy()
    }
  })

  async function purgeUploads(): Promise<number> {
    const removed = await storage.uploads.purgeAbandoned(uploadMaxAgeMs)
    if (removed > 0) log.info({ removed }, 'purged abandoned uploads')
    return removed
  }

  let purgeTimer: NodeJS.Timeout | undefined
  const inFlight = new Set<ServerResponse>()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res)
    requestInfo(req)
    const socket = res.socket
    res.on('close', () => {
      inFlight.delete(res)
      let bytesIn = 0
      let bytesOut = 0
      if (socket) {
        const seen = counted.get(socket) ?? { read: 0, written: 0 }
        bytesIn = socket.bytesRead - seen.read
        bytesOut = socket.bytesWritten - seen.written
        activity.bytesIn += bytesIn
        activity.bytesOut += bytesOut
        counted.set(socket, { read: socket.bytesRead, written: socket.bytesWritten })
      }
      if (options.observe) {
        try {
          options.observe(recordOf(req, res.statusCode, bytesIn, bytesOut, res.writableFinished))
        } catch (err) {
          log.warn({ err }, 'request observer failed')
        }
      }
    })
  })

  /** Counted so far plus what the requests under way have moved: a long push shows its bytes as they flow. */
  function liveActivity(): RegistryActivity {
    let { bytesIn, bytesOut } = activity
    const sockets = new Set<Socket>()
    for (const res of inFlight) if (res.socket) sockets.add(res.socket)
    for (const socket of sockets) {
      const seen = counted.get(socket) ?? { read: 0, written: 0 }
      bytesIn += socket.bytesRead - seen.read
      bytesOut += socket.bytesWritten - seen.written
    }
    return { requests: activity.requests, bytesIn, bytesOut }
  }

  return {
    server,
    get activity() {
      return liveActivity()
    },
    purgeUploads,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err)
        server.once('error', onError)
        server.listen(port, host, () => {
          server.off('error', onError)
          if (purgeIntervalMs > 0) {
            purgeTimer = setInterval(() => {
              purgeUploads().catch((err) => log.warn({ err }, 'purging uploads failed'))
            }, purgeIntervalMs)
            purgeTimer.unref()
          }
          storage.root.watch()
          resolve(server.address() as AddressInfo)
        })
      })
    },
    close(graceMs = 5000) {
      clearInterval(purgeTimer)
      storage.root.stop()
      return new Promise<void>((resolve) => {
        if (!server.listening) return resolve()
        const cut = setTimeout(() => server.closeAllConnections(), graceMs)
        cut.unref()
        server.close(() => {
          clearTimeout(cut)
          resolve()
        })
        server.closeIdleConnections()
        if (inFlight.size === 0) server.closeAllConnections()
      })
    }
  }
}
