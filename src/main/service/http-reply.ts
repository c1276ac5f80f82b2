import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { cutOff } from '../registry/failure'
import type { Refusal } from './http-guard'

/** A JSON answer; `Connection: close` when the request body was not read to its end. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store'
  })
  res.end(text)
}

export function refuse(res: ServerResponse, refusal: Refusal, headers: Record<string, string> = {}): void {
  sendJson(res, refusal.status, { ok: false, error: { code: refusal.code, message: refusal.message } }, { ...refusal.headers, ...headers })
}

/** The path only: a query may carry the token (`/?token=…`), and secrets are never logged. */
const where = (req: IncomingMessage) => (req.url ?? '').split('?')[0].slice(0, 200)

const CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED'])

/**
 * The last word on a request whose handler threw: logged with its context, a 500 envelope if nothing
 * was sent yet, else the socket is cut. A hang-up is logged as one only when the connection is gone
 * AND the error is a connection error (a full disk is not a client leaving). Never throws: an error
 * while answering an error is logged and the socket destroyed.
 */
export function answerFailure(log: Logger, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  try {
    const gone = res.destroyed || !res.socket || res.socket.destroyed
    const code = (err as NodeJS.ErrnoException | null)?.code
    if (gone && code !== undefined && CONNECTION_CODES.has(code)) log.info({ method: req.method, url: where(req), code }, 'client went away mid-request')
    else log.error({ err, method: req.method, url: where(req) }, 'request failed')
    if (gone || res.headersSent) {
      res.destroy()
      return
    }
    sendJson(
      res,
      500,
      { ok: false, error: { code: 'INTERNAL', message: 'Berth could not answer this request (its log says why); try again, and restart berth serve if it persists.' } },
      { Connection: 'close' }
    )
  } catch (again) {
    cutOff(log, req, res, err, again)
  }
}
