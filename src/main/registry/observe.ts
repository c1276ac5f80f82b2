import type { IncomingMessage } from 'node:http'

/*
 * What the access log and the metrics learn about each request: filled in by the dispatcher as it
 * goes (route, repository, account) and handed out once the response is over, with its status,
 * bytes and duration. Kept beside the request, never in it, so handlers cannot depend on it.
 */

export interface RequestRecord {
  time: string
  method: string
  /** The route's name (routes.ts), or "unknown" for a path that names no endpoint. */
  route: string
  repository: string
  /** Tag, digest or upload id from the path. */
  reference: string
  status: number
  bytesIn: number
  bytesOut: number
  durationMs: number
  /** The account that authenticated, null for anonymous. */
  account: string | null
  client: string
  /** False when the client went away before the response was complete. */
  completed: boolean
}

export interface RequestInfo {
  startedAt: number
  time: string
  route: string
  repository: string
  reference: string
  account: string | null
  /** Read at the start: a socket that closed has no address any more. */
  client: string
}

const infos = new WeakMap<IncomingMessage, RequestInfo>()

export function requestInfo(req: IncomingMessage): RequestInfo {
  let info = infos.get(req)
  if (!info) {
    info = { startedAt: performance.now(), time: new Date().toISOString(), route: 'unknown', repository: '', reference: '', account: null, client: req.socket.remoteAddress ?? 'unknown' }
    infos.set(req, info)
  }
  return info
}

export function recordOf(req: IncomingMessage, status: number, bytesIn: number, bytesOut: number, completed: boolean): RequestRecord {
  const info = requestInfo(req)
  return {
    time: info.time,
    method: req.method ?? 'GET',
    route: info.route,
    repository: info.repository.slice(0, 256),
    reference: info.reference.slice(0, 256),
    status,
    bytesIn,
    bytesOut,
    durationMs: Math.round((performance.now() - info.startedAt) * 1000) / 1000,
    account: info.account,
    client: info.client,
    completed
  }
}
