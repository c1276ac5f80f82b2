import type { ApiInput, ApiOutput, BerthBridge, EventName, EventPayload, MethodName } from '@shared/contract'
import type { BerthErrorData, Envelope } from '@shared/errors'

/*
 * The renderer's one door to Berth. In the Electron window the preload provides `window.berth`
 * (IPC); in a browser (`berth serve`) the same contract is reached over HTTP: POST /api/<method> and
 * Server-Sent Events from /api/events, authenticated by the cookie that `/?token=…` set. Nothing
 * else in the renderer reads `window.berth` or calls fetch for the API.
 */

/** A failed call, with the service's code and its advice as the message (shown to the user as is). */
export class ClientError extends Error {
  constructor(
    readonly code: BerthErrorData['code'] | 'NETWORK',
    message: string,
    readonly detail?: unknown
  ) {
    super(message)
    this.name = 'ClientError'
  }
}

export type ConnectionState = 'connecting' | 'open' | 'lost'

export interface Transport {
  invoke(method: MethodName, input: unknown): Promise<Envelope<unknown>>
  on(event: EventName, listener: (payload: unknown) => void): () => void
  /** Event-stream health; over IPC it is always open. Returns an unsubscribe. */
  onConnection(listener: (state: ConnectionState) => void): () => void
  /**
   * Where a dropped file is on the service's machine. In Electron that is the file's own path (the
   * preload's `webUtils.getPathForFile`); over HTTP the page cannot know it, so the file is uploaded
   * (PUT /api/upload) into a temporary file under the data folder and that path comes back.
   */
  pathForFile(file: File): Promise<string>
}


function bridgeTransport(bridge: BerthBridge): Transport {
  return {
    invoke: (method, input) => bridge.invoke(method, input as never) as Promise<Envelope<unknown>>,
    on: (event, listener) => bridge.on(event, listener as never),
    onConnection(listener) {
      listener('open')
      return () => {}
    },
    async pathForFile(file) {
      // An older preload may lack it; Electron answers "" for a file that is not on disk.
      const path = bridge.pathForFile?.(file)
      if (!path) throw new ClientError('INVALID_INPUT', `Berth cannot tell where ${file.name} is on disk. Use Import… and type its path instead.`)
      return path
    }
  }
}

const UNREACHABLE = 'Berth’s service does not answer. If you started it with `berth serve`, check that it is still running, then reload this page.'

/** The HTTP + SSE transport of `berth serve`, same origin. */
export function httpTransport(base = ''): Transport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const attached = new Set<string>()
  const connection = new Set<(state: ConnectionState) => void>()
  let state: ConnectionState = 'connecting'
  let source: EventSource | null = null

  const setState = (next: ConnectionState) => {
    if (next === state) return
    state = next
    for (const l of connection) l(next)
  }

  const attach = (event: string) => {
    if (!source || attached.has(event)) return
    attached.add(event)
    source.addEventListener(event, (e) => {
      let payload: unknown
      try {
        payload = JSON.parse((e as MessageEvent<string>).data)
      } catch {
        return
      }
      for (const l of listeners.get(event) ?? []) l(payload)
    })
  }

  const open = () => {
    if (source || typeof EventSource === 'undefined') return
    source = new EventSource(`${base}/api/events`, { withCredentials: true })
    source.onopen = () => setState('open')
    // EventSource reconnects by itself (the server asks for 2 s) and Last-Event-ID replays what was
    // missed; only a refused stream (CLOSED) needs a new one.
    source.onerror = () => {
      setState('lost')
      if (source?.readyState === EventSource.CLOSED) {
        source = null
        attached.clear()
        setTimeout(open, 3000)
      }
    }
    for (const event of listeners.keys()) attach(event)
  }

  return {
    async invoke(method, input) {
      let res: Response
      try {
        res = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: input === undefined ? '' : JSON.stringify(input)
        })
      } catch {
        throw new ClientError('NETWORK', UNREACHABLE)
      }
      let body: unknown
      try {
        body = await res.json()
      } catch {
        throw new ClientError('NETWORK', `Berth answered ${method} with HTTP ${res.status} and no readable body. Reload the page; if it persists, restart berth serve.`)
      }
      if (res.status === 401) {
        const message = (body as Envelope<unknown> & { ok: false }).error?.message
        throw new ClientError('INVALID_INPUT', message ?? 'This page has no access token. Open the address `berth serve` printed (it ends in ?token=…).')
      }
      return body as Envelope<unknown>
    },
    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      open()
      attach(event)
      return () => {
        set.delete(listener)
      }
    },
    onConnection(listener) {
      connection.add(listener)
      listener(state)
      return () => {
        connection.delete(listener)
      }
    },
    async pathForFile(file) {
      let res: Response
      try {
        res = await fetch(`${base}/api/upload`, {
          method: 'PUT',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/octet-stream', 'X-Berth-File-Name': encodeURIComponent(file.name) },
          body: file
        })
      } catch {
        throw new ClientError('NETWORK', UNREACHABLE)
      }
      const body = (await res.json().catch(() => null)) as Envelope<{ path: string }> | null
      if (body && typeof body === 'object' && 'ok' in body) {
        if (!body.ok) throw new ClientError(body.error.code, body.error.message, body.error.detail)
        if (typeof body.result?.path === 'string') return body.result.path
      }
      if (res.status === 404 || res.status === 405) throw new ClientError('UNKNOWN_METHOD', 'This berth serve cannot take uploaded files. Use Import… and type the archive’s path on the machine that runs berth serve.')
      throw new ClientError('NETWORK', `Berth answered the upload of ${file.name} with HTTP ${res.status} and no path. Try again, or use Import… with the file’s path.`)
    }
  }
}

let transport: Transport | null = null

function current(): Transport {
  if (!transport) transport = typeof window !== 'undefined' && window.berth ? bridgeTransport(window.berth) : httpTransport()
  return transport
}

/** Tests (and nothing else) swap the transport. */
export function setTransport(next: Transport | null): void {
  transport = next
}

/** Calls a contract method; resolves with its result or throws a ClientError whose message is advice. */
export async function call<M extends MethodName>(
  method: M,
  ...input: undefined extends ApiInput<M> ? [input?: ApiInput<M>] : [input: ApiInput<M>]
): Promise<ApiOutput<M>> {
  const envelope = await current().invoke(method, input[0])
  if (!envelope || typeof envelope !== 'object' || !('ok' in envelope)) throw new ClientError('INTERNAL', `Berth gave no answer to ${method}.`)
  if (!envelope.ok) throw new ClientError(envelope.error.code, envelope.error.message, envelope.error.detail)
  return envelope.result as ApiOutput<M>
}

/** Subscribes to a contract event; returns the unsubscribe. */
export function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return current().on(event, listener as (payload: unknown) => void)
}

export function onConnection(listener: (state: ConnectionState) => void): () => void {
  return current().onConnection(listener)
}

/**
 * Where a dropped file is for the service: its path in Electron, or (over HTTP) the path of the
 * uploaded copy. Then `storage.import` can read it.
 */
export function pathForDroppedFile(file: File): Promise<string> {
  return current().pathForFile(file)
}

/** Imports a `.tar` dropped on the window: its path (uploaded first over HTTP), then storage.import. */
export async function importDroppedFile(file: File, repository?: string): Promise<{ path: string; result: ApiOutput<'storage.import'> }> {
  const path = await pathForDroppedFile(file)
  const result = await call('storage.import', repository ? { file: path, repository } : { file: path })
  return { path, result }
}

/** What to show for any failure. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

/** In a browser the token came in the address (`/?token=…`) and is now a cookie: keep it out of history and screenshots. */
export function forgetTokenInAddress(): void {
  if (typeof window === 'undefined' || window.berth) return
  const url = new URL(window.location.href)
  if (!url.searchParams.has('token')) return
  url.searchParams.delete('token')
  window.history.replaceState(null, '', url.pathname + url.search + url.hash)
}
