import type { ApiInput, ApiOutput, BerthBridge, EventName, EventPayload, MethodName } from '@shared/contract'
import type { BerthErrorData, Envelope } from '@shared/errors'

/*
 * The renderer's one door to Berth. In the Electron window the preload provides `window.berth`
 * (IPC); in a browser (`berth serve`) the same contract is reached over HTTP: POST /api/<method> and
 * Server-Sent Events from /api/events read as a fetch stream, each with `Authorization: Bearer` and
 * the token the page was opened with (never a cookie: every 127.0.0.1 server would get it). Nothing
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
const NO_TOKEN = 'This page has no access token. Open the address `berth serve` printed (it ends in ?token=…).'

/** Where the page keeps its token: sessionStorage is per origin (port included) and per tab, so no other 127.0.0.1 server ever sees it. */
const TOKEN_KEY = 'berth.token'

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

/**
 * In a browser the page is opened as `/?token=…` (what `berth serve` prints): the token moves into
 * this tab's sessionStorage and out of the address (history, screenshots, a Referer).
 */
export function takeTokenFromAddress(): void {
  if (typeof window === 'undefined' || window.berth) return
  const url = new URL(window.location.href)
  const token = url.searchParams.get('token')
  if (token === null) return
  try {
    sessionStorage.setItem(TOKEN_KEY, token)
  } catch {
    // Storage refused (a private mode): calls will say how to get a token.
  }
  url.searchParams.delete('token')
  window.history.replaceState(null, '', url.pathname + url.search + url.hash)
}

export interface SseMessage {
  id: string | null
  event: string
  data: string
}

/**
 * An incremental parser of the Server-Sent Events format (what EventSource would do, done in the page
 * so the stream can carry an Authorization header): feed text as it arrives, get whole messages.
 */
export function sseParser(onMessage: (message: SseMessage) => void, onRetry?: (ms: number) => void): (text: string) => void {
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | null = null
  const line = (l: string) => {
    if (l === '') {
      if (data.length) onMessage({ id, event: event || 'message', data: data.join('\n') })
      event = ''
      data = []
      return
    }
    if (l.startsWith(':')) return
    const colon = l.indexOf(':')
    const field = colon === -1 ? l : l.slice(0, colon)
    const value = colon === -1 ? '' : l.slice(colon + 1).replace(/^ /, '')
    if (field === 'data') data.push(value)
    else if (field === 'event') event = value
    else if (field === 'id' && !value.includes('\0')) id = value
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value))
  }
  return (text) => {
    buffer += text
    // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
    const parts = buffer.split(/\r\n|\r(?!$)|\n/)
    buffer = parts.pop() ?? ''
    for (const l of parts) line(l)
  }
}

/** Without a byte for this long (the server pings every 15 s) the stream is taken for dead and reopened. */
const SILENCE_MS = 45_000

/** The HTTP transport of `berth serve`, same origin; events over a fetch stream, reconnecting with Last-Event-ID. */
export function httpTransport(base = '', token: () => string | null = storedToken): Transport & { close(): void } {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const connection = new Set<(state: ConnectionState) => void>()
  let state: ConnectionState = 'connecting'
  let streaming = false
  let closed = false
  let controller: AbortController | null = null
  let lastEventId: string | null = null
  let retryMs = 2000

  const setState = (next: ConnectionState) => {
    if (next === state) return
    state = next
    for (const l of connection) l(next)
  }
  const auth = (): Record<string, string> => {
    const t = token()
    return t ? { Authorization: `Bearer ${t}` } : {}
  }

  const deliver = (m: SseMessage) => {
    if (m.id !== null) lastEventId = m.id
    const set = listeners.get(m.event)
    if (!set?.size) return
    let payload: unknown
    try {
      payload = JSON.parse(m.data)
    } catch {
      return
    }
    for (const l of set) l(payload)
  }

  /** One stream until it ends or goes silent; resolves when it is over. */
  async function follow(): Promise<number | null> {
    controller = new AbortController()
    const abort = controller
    let silence: ReturnType<typeof setTimeout> | undefined
    const quietWatch = () => {
      clearTimeout(silence)
      silence = setTimeout(() => abort.abort(), SILENCE_MS)
    }
    try {
      const res = await fetch(`${base}/api/events`, {
        headers: { Accept: 'text/event-stream', ...auth(), ...(lastEventId !== null ? { 'Last-Event-ID': lastEventId } : {}) },
        cache: 'no-store',
        signal: abort.signal
      })
      if (!res.ok || !res.body) return res.status
      setState('open')
      const feed = sseParser(deliver, (ms) => (retryMs = ms))
      const reader = res.body.getReader()
      const decoder = new TextDecoder()
      quietWatch()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return null
        quietWatch()
        feed(decoder.decode(value, { stream: true }))
      }
    } catch {
      return null
    } finally {
      clearTimeout(silence)
      abort.abort()
    }
  }

  async function stream(): Promise<void> {
    while (!closed) {
      const status = await follow()
      if (closed) break
      setState('lost')
      // A refusal (no token, another origin) will not heal by itself soon: ask less often.
      await new Promise((r) => setTimeout(r, status !== null && status >= 400 && status < 500 ? 10_000 : retryMs))
    }
  }

  const open = () => {
    if (streaming || closed || typeof fetch === 'undefined') return
    streaming = true
    void stream()
  }

  return {
    async invoke(method, input) {
      let res: Response
      try {
        res = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          credentials: 'omit',
          headers: { 'Content-Type': 'application/json', ...auth() },
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
      if (res.status === 401) throw new ClientError('INVALID_INPUT', token() ? ((body as Envelope<unknown> & { ok: false }).error?.message ?? NO_TOKEN) : NO_TOKEN)
      return body as Envelope<unknown>
    },
    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      open()
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
          credentials: 'omit',
          headers: { 'Content-Type': 'application/octet-stream', 'X-Berth-File-Name': encodeURIComponent(file.name), ...auth() },
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
    },
    close() {
      closed = true
      controller?.abort()
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
