import type { ServeProcess } from './berth'

// The management API of a `berth serve` process (the app port), as a script would call it.

export interface ServeApi {
  call<T>(method: string, input?: unknown): Promise<T>
}

/** Waits for serve's "Berth app on …?token=…" line and returns a caller for POST /api/<method>. */
export async function serveApi(serve: ServeProcess): Promise<ServeApi> {
  let m: RegExpExecArray | null = null
  for (let i = 0; i < 100 && !(m = /Berth app on (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)/.exec(serve.stdout())); i++) await new Promise((r) => setTimeout(r, 50))
  if (!m) throw new Error(`berth serve printed no app line: ${serve.stdout()}`)
  const [, base, token] = m
  return {
    async call<T>(method: string, input?: unknown): Promise<T> {
      const res = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {})
      })
      const body = (await res.json()) as { ok: boolean; result?: T; error?: { code: string; message: string } }
      if (!body.ok) throw Object.assign(new Error(body.error!.message), { code: body.error!.code })
      return body.result as T
    }
  }
}

/** Polls transfers.list until the transfer has ended; returns it. */
export async function waitTransfer(api: ServeApi, id: string, timeoutMs = 120_000): Promise<{ state: string; error: { message: string } | null; digest: string | null; layers: { phase: string }[] }> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const list = await api.call<{ id: string; state: string; error: { message: string } | null; digest: string | null; layers: { phase: string }[] }[]>('transfers.list')
    const t = list.find((x) => x.id === id)
    if (t && t.state !== 'running') return t
    if (Date.now() > until) throw new Error(`transfer ${id} still running after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
