import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { RegistryTls } from './tls'

// One HTTP exchange with a registry (node:http / node:https, nothing buffered), and the retry rule:
// 429 and 5xx answers and cut connections are tried again with exponential backoff and jitter,
// honouring Retry-After, as long as the request body can be sent again.

export type Body = Buffer | (() => Readable) | null

export interface SendOptions {
  method: string
  url: URL
  headers?: OutgoingHttpHeaders
  body?: Body
  tls?: RegistryTls
  /** false: accept any certificate (`--tls-verify=false`). */
  verify?: boolean
  signal?: AbortSignal
  /** Cuts a connection that stays silent this long (ms). */
  idleTimeoutMs?: number
}

/** Sends a request; resolves when the answer's headers arrive (the body is left to the caller). */
export function send(options: SendOptions): Promise<IncomingMessage> {
  const { url, method } = options
  const body = options.body ?? null
  const headers: OutgoingHttpHeaders = { 'User-Agent': 'berth', ...options.headers }
  if (Buffer.isBuffer(body)) headers['Content-Length'] = body.length
  else if (body === null && (method === 'PUT' || method === 'POST' || method === 'PATCH')) headers['Content-Length'] = 0
  const https = url.protocol === 'https:'
  const requestFn = https ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = requestFn(url, {
      method,
      headers,
      signal: options.signal,
      ...(https
        ? { ca: options.tls?.ca, cert: options.tls?.cert, key: options.tls?.key, rejectUnauthorized: options.verify !== false, servername: isIp(url.hostname) ? undefined : url.hostname }
        : {})
    })
    req.setTimeout(options.idleTimeoutMs ?? 60_000, () => req.destroy(Object.assign(new Error(`${url.host} did not answer in time`), { code: 'ETIMEDOUT' })))
    req.once('response', (res) => {
      // The idle timer keeps watching the body: a download that stalls is cut and resumed.
      resolve(res)
    })
    req.once('error', reject)
    if (body === null) req.end()
    else if (Buffer.isBuffer(body)) req.end(body)
    else pipeline(body(), req).catch((err) => req.destroy(err))
  })
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[')
}

/** Connection failures worth another try: the peer cut or stalled, not "nothing there". */
export function isTransient(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'UND_ERR_SOCKET'
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504
}

export interface RetryPolicy {
  retries: number
  baseMs: number
  maxMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseMs: 400, maxMs: 15_000 }

/** Full exponential backoff with jitter (half fixed, half random), or Retry-After when the server says. */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfter?: string | string[]): number {
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter
  if (header) {
    const seconds = Number(header)
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now()
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 60_000)
  }
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt)
  return exp / 2 + Math.random() * (exp / 2)
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * `send` with retries. A body given as a stream factory is sent again from a fresh stream; the
 * caller decides by passing `replayable: false` when that is not possible (a stream from another
 * registry), and then only the answer's status is returned, never retried.
 */
export async function sendWithRetry(options: SendOptions & { replayable?: boolean }, policy = DEFAULT_RETRY, onRetry?: (why: string, waitMs: number) => void): Promise<IncomingMessage> {
  const replayable = options.replayable ?? true
  for (let attempt = 0; ; attempt++) {
    let res: IncomingMessage
    try {
      res = await send(options)
    } catch (err) {
      if (!replayable || attempt >= policy.retries || !isTransient(err) || options.signal?.aborted) throw err
      const wait = backoffMs(attempt, policy)
      onRetry?.((err as NodeJS.ErrnoException).code ?? 'error', wait)
      await sleep(wait, options.signal)
      continue
    }
    if (!replayable || attempt >= policy.retries || !isRetryableStatus(res.statusCode ?? 0)) return res
    const wait = backoffMs(attempt, policy, res.headers['retry-after'])
    onRetry?.(`HTTP ${res.statusCode}`, wait)
    res.resume()
    await sleep(wait, options.signal)
  }
}

/** Reads a (small) body whole, refusing more than `limit` bytes. */
export async function readBody(res: IncomingMessage, limit = 4 << 20): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) {
      res.destroy()
      throw new Error(`the answer is larger than ${limit} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

export function drain(res: IncomingMessage): void {
  res.resume()
}

export { Readable }
