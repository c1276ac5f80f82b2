import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { BodyInterruptedError, isDiskFull, megabytes, StorageUnavailableError, type Storage } from '../storage'
import { RegistryError, serveErrors } from './errcode'

/*
 * The last word on a registry request whose handler threw. Who failed decides the answer:
 *   - the client (its body ended early, or the connection is gone and the error is a connection
 *     error): logged as a hang-up, the socket destroyed, no body;
 *   - the request (a RegistryError): the spec's JSON error;
 *   - the server's disk (ENOSPC/EDQUOT): 507 with what to do; the folder gone: 503;
 *   - anything else: 500, logged with its context.
 * A request whose body was not read to its end gets its answer first and the rest of its body
 * read and dropped after (bounded), so the client sees the answer rather than a reset.
 * Nothing here throws or rejects: an error while answering an error is logged and the socket cut.
 */

/** A refused request's unread body is dropped for at most this long / this much, then the connection is cut. */
const DISCARD_MS = 10_000
const DISCARD_BYTES = 64 * 2 ** 20

const CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED'])

/** The path only, short: what the log says of a request. */
const where = (req: IncomingMessage) => (req.url ?? '').split('?')[0].slice(0, 200)

function connectionGone(res: ServerResponse): boolean {
  const socket = res.socket
  return res.destroyed || !socket || socket.destroyed
}

/** 507 Insufficient Storage: the spec has no code for it, so UNKNOWN (as Distribution words a storage failure), with advice. */
export async function insufficientStorage(storage: Storage, neededBytes?: number): Promise<RegistryError> {
  storage.disk.refused()
  const state = await storage.disk.state().catch(() => null)
  const free = state ? `${megabytes(state.freeBytes)} free on ${state.volume}` : `no room on the volume of ${storage.layout.root}`
  const needs =
    neededBytes !== undefined
      ? ` and this upload needs ${megabytes(neededBytes)}${state ? ` (plus ${megabytes(state.reserveBytes)} kept free)` : ''}`
      : ' once the part of this request already written was removed again'
  return new RegistryError(
    'INSUFFICIENT_STORAGE',
    { freeBytes: state?.freeBytes ?? null, neededBytes: neededBytes ?? null, volume: state?.volume ?? null },
    `the registry's disk is full: ${free}${needs}; free space there (berth gc, or Collect in the app's Storage view, removes what no tag uses) or move the data folder to a bigger disk, then push again`
  )
}

/** 503: the data folder is gone; clients retry 503 (the spec: "a temporary condition"). */
export function unavailable(err: StorageUnavailableError): RegistryError {
  return new RegistryError('UNAVAILABLE', { reason: err.problem.reason }, err.problem.message, { 'Retry-After': '10' })
}

/** Refuses, before a byte is read, a body declared larger than the disk can take (less its reserve). */
export async function ensureRoom(storage: Storage, declaredBytes: number | null): Promise<void> {
  if (declaredBytes === null || declaredBytes === 0) return
  const room = await storage.disk.room(declaredBytes)
  if (!room.fits) throw await insufficientStorage(storage, declaredBytes)
}

/** What to answer for `err`, or null when the client is gone and nothing can be answered. */
async function translate(storage: Storage, res: ServerResponse, err: unknown): Promise<RegistryError | Error | null> {
  if (err instanceof RegistryError) return err
  if (err instanceof BodyInterruptedError) return null
  const code = (err as NodeJS.ErrnoException | null)?.code
  // A connection error counts as the client's only once the connection is indeed gone.
  if (code !== undefined && CONNECTION_CODES.has(code) && connectionGone(res)) return null
  if (err instanceof StorageUnavailableError) return unavailable(err)
  if (isDiskFull(err)) return insufficientStorage(storage)
  // A path that stopped existing under a write: the folder itself may have just gone.
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    const problem = await storage.root.check().catch(() => null)
    if (problem) return unavailable(new StorageUnavailableError(problem))
  }
  return err instanceof Error ? err : new Error(String(err))
}

/** Reads and drops what is left of a refused request's body, so its connection can carry the answer (and the next request). */
export function discardRest(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return
  let dropped = 0
  const cut = () => req.socket?.destroy()
  const timer = setTimeout(cut, DISCARD_MS)
  timer.unref()
  const done = () => clearTimeout(timer)
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length
    if (dropped > DISCARD_BYTES) cut()
  })
  req.on('end', done)
  req.on('close', done)
  req.on('error', done)
  req.resume()
}

export interface FailureContext {
  storage: Storage
  log: Logger
}

export async function answerFailure(ctx: FailureContext, req: IncomingMessage, res: ServerResponse, err: unknown): Promise<void> {
  const { log } = ctx
  try {
    const answer = await translate(ctx.storage, res, err)
    if (answer === null) {
      log.info({ method: req.method, url: where(req), err: (err as Error | null)?.message }, 'client went away mid-request')
      res.destroy()
      return
    }
    let error: RegistryError
    if (answer instanceof RegistryError) {
      error = answer
      if (error.status >= 500) log.warn({ method: req.method, url: where(req), code: error.code, cause: (err as Error | null)?.message }, error.message)
      else log.debug({ method: req.method, url: where(req), code: error.code }, error.message)
    } else {
      log.error({ err: answer, method: req.method, url: where(req) }, 'request failed')
      error = new RegistryError('UNKNOWN', null, 'internal error: the registry could not complete the request (its log says why)')
    }
    if (res.headersSent || connectionGone(res)) {
      // Part of an answer went out already: the only honest end is to cut it off.
      res.destroy()
      return
    }
    serveErrors(res, [error], req.method === 'HEAD')
    discardRest(req)
  } catch (again) {
    cutOff(log, req, res, err, again)
  }
}

/** An error while answering an error: logged with both and the request's context, the connection cut. Never throws. */
export function cutOff(log: Logger, req: IncomingMessage, res: ServerResponse, first: unknown, again: unknown): void {
  try {
    log.error({ err: again, first: (first as Error | null)?.message, method: req.method, url: where(req) }, 'answering a failed request failed too')
  } catch {
    // The logger itself failed: nothing more to say.
  }
  res.destroy()
  req.socket?.destroy()
}
