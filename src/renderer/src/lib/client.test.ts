import { afterEach, describe, expect, it, vi } from 'vitest'
import { call, ClientError, httpTransport, importDroppedFile, setTransport, sseParser, takeTokenFromAddress, type SseMessage } from './client'

afterEach(() => {
  setTransport(null)
  vi.unstubAllGlobals()
})

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

describe('the HTTP transport of berth serve', () => {
  it('posts the input as JSON to /api/<method> with the page’s token as Bearer, never a cookie, and returns the result', async () => {
    const fetch = answer(200, { ok: true, result: { total: 0, items: [] } })
    vi.stubGlobal('fetch', fetch)
    setTransport(httpTransport('', () => 'tok-1'))
    await expect(call('catalog.repositories', { filter: 'team' })).resolves.toEqual({ total: 0, items: [] })
    expect(fetch).toHaveBeenCalledWith(
      '/api/catalog.repositories',
      expect.objectContaining({ method: 'POST', credentials: 'omit', body: '{"filter":"team"}', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok-1' } })
    )
  })

  it('turns an error envelope into a ClientError carrying the service’s advice', async () => {
    vi.stubGlobal('fetch', answer(200, { ok: false, error: { code: 'REGISTRY_STOPPED', message: 'The registry is not running. Start it first.' } }))
    setTransport(httpTransport())
    const err = await call('docker.pull', { repository: 'team/app', reference: '1.0' }).catch((e) => e)
    expect(err).toBeInstanceOf(ClientError)
    expect(err).toMatchObject({ code: 'REGISTRY_STOPPED', message: 'The registry is not running. Start it first.' })
  })

  it('says how to get the token when the page has none', async () => {
    vi.stubGlobal('fetch', answer(401, { ok: false, error: { code: 'INVALID_INPUT', message: 'Berth needs its token: open the address `berth serve` printed.' } }))
    setTransport(httpTransport('', () => null))
    await expect(call('registry.status')).rejects.toThrow('This page has no access token. Open the address `berth serve` printed')
    setTransport(httpTransport('', () => 'stale'))
    await expect(call('registry.status')).rejects.toThrow('Berth needs its token: open the address `berth serve` printed.')
  })

  it('says the service is gone when nothing answers', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    setTransport(httpTransport())
    await expect(call('registry.status')).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('does not answer') })
  })
})

describe('the token in a browser', () => {
  it('moves from ?token= into this tab’s sessionStorage and out of the address', async () => {
    const store = new Map<string, string>()
    const replaceState = vi.fn()
    vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v) })
    vi.stubGlobal('window', { location: { href: 'http://127.0.0.1:4000/repositories?token=abc_-1&x=2#t' }, history: { replaceState } })
    takeTokenFromAddress()
    expect(store.get('berth.token')).toBe('abc_-1')
    expect(replaceState).toHaveBeenCalledWith(null, '', '/repositories?x=2#t')
    const fetch = answer(200, { ok: true, result: { state: 'running' } })
    vi.stubGlobal('fetch', fetch)
    setTransport(httpTransport())
    await call('registry.status')
    expect((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).toMatchObject({ Authorization: 'Bearer abc_-1' })
  })
})

describe('the event stream (fetch, not EventSource)', () => {
  it('parses the SSE format across chunk boundaries: ids, names, multi-line data, comments, retry, CRLF', () => {
    const got: SseMessage[] = []
    const retries: number[] = []
    const feed = sseParser((m) => got.push(m), (ms) => retries.push(ms))
    for (const chunk of ['retry: 2000\n\n: ping\n\nid: 1\nevent: registry.status\nda', 'ta: {"a":\ndata: 1}\n\nid: 2\r', '\nevent: x\r\ndata: "y"\r\n\r\ndata:plain\n\n']) feed(chunk)
    expect(retries).toEqual([2000])
    expect(got).toEqual([
      { id: '1', event: 'registry.status', data: '{"a":\n1}' },
      { id: '2', event: 'x', data: '"y"' },
      { id: '2', event: 'message', data: 'plain' }
    ])
  })

  it('sends the Bearer token, delivers events, reconnects after a drop with Last-Event-ID and reports the connection', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const requests: Record<string, string>[] = []
    const bodies = ['retry: 10\n\nid: 7\nevent: registry.status\ndata: {"state":"running"}\n\n', 'id: 9\nevent: registry.status\ndata: {"state":"stopped"}\n\n']
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        requests.push(init.headers as Record<string, string>)
        const text = bodies.shift()
        if (text === undefined) return new Promise<Response>(() => {})
        return new Response(new Blob([text]).stream(), { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
      })
    )
    const t = httpTransport('', () => 'tok-3')
    const states: string[] = []
    t.onConnection((s) => states.push(s))
    const seen: unknown[] = []
    t.on('registry.status', (p) => seen.push(p))
    await vi.waitFor(() => expect(seen).toEqual([{ state: 'running' }]))
    await vi.advanceTimersByTimeAsync(20)
    await vi.waitFor(() => expect(seen).toEqual([{ state: 'running' }, { state: 'stopped' }]))
    expect(requests[0]).toEqual({ Accept: 'text/event-stream', Authorization: 'Bearer tok-3' })
    expect(requests[1]).toEqual({ Accept: 'text/event-stream', Authorization: 'Bearer tok-3', 'Last-Event-ID': '7' })
    await vi.advanceTimersByTimeAsync(20)
    expect(requests[2]).toMatchObject({ 'Last-Event-ID': '9' })
    expect(states).toEqual(['connecting', 'open', 'lost', 'open', 'lost'])
    t.close()
    vi.useRealTimers()
  })
})

describe('a dropped file', () => {
  it('over HTTP is uploaded with PUT /api/upload, then imported from the path the service answers', async () => {
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      if (url === '/api/upload') return new Response(JSON.stringify({ ok: true, result: { path: '/data/uploads/upload-1.tar' } }), { status: 200 })
      return new Response(JSON.stringify({ ok: true, result: { format: 'docker-archive', images: [], blobs: 0, bytes: 0, echo: JSON.parse(String(init.body)) } }), { status: 200 })
    })
    vi.stubGlobal('fetch', fetch)
    setTransport(httpTransport('', () => 'tok-2'))
    const file = new File(['tar bytes'], 'my app.tar')
    const { path } = await importDroppedFile(file, 'team/app')
    expect(path).toBe('/data/uploads/upload-1.tar')
    expect(fetch.mock.calls[0][0]).toBe('/api/upload')
    expect(fetch.mock.calls[0][1]).toMatchObject({ method: 'PUT', credentials: 'omit', body: file, headers: { 'X-Berth-File-Name': 'my%20app.tar', Authorization: 'Bearer tok-2' } })
    expect(fetch.mock.calls[1][0]).toBe('/api/storage.import')
    expect(JSON.parse(String(fetch.mock.calls[1][1].body))).toEqual({ file: '/data/uploads/upload-1.tar', repository: 'team/app' })
  })

  it('over HTTP says what to do when the upload is refused or not offered', async () => {
    vi.stubGlobal('fetch', answer(200, { ok: false, error: { code: 'FOLDER_NOT_WRITABLE', message: 'No room for the upload in /data.' } }))
    setTransport(httpTransport())
    await expect(importDroppedFile(new File(['x'], 'a.tar'))).rejects.toMatchObject({ code: 'FOLDER_NOT_WRITABLE', message: 'No room for the upload in /data.' })
    vi.stubGlobal('fetch', vi.fn(async () => new Response('Not found', { status: 404 })))
    await expect(importDroppedFile(new File(['x'], 'a.tar'))).rejects.toThrow('Use Import… and type the archive’s path')
  })

  it('in Electron uses the file’s own path from the preload (webUtils.getPathForFile), no upload', async () => {
    const invoke = vi.fn(async () => ({ ok: true as const, result: { format: 'oci-archive', images: [], blobs: 0, bytes: 0 } }))
    vi.stubGlobal('window', { berth: { invoke, on: () => () => {}, pathForFile: (f: File) => `/home/dev/Downloads/${f.name}` } })
    vi.stubGlobal('fetch', vi.fn())
    setTransport(null)
    await importDroppedFile(new File(['x'], 'app.tar'))
    expect(invoke).toHaveBeenCalledWith('storage.import', { file: '/home/dev/Downloads/app.tar' })
    expect(fetch).not.toHaveBeenCalled()
  })

  it('in an Electron window whose preload cannot tell the path, asks for Import… instead', async () => {
    vi.stubGlobal('window', { berth: { invoke: vi.fn(), on: () => () => {} } })
    setTransport(null)
    await expect(importDroppedFile(new File(['x'], 'app.tar'))).rejects.toThrow('Use Import… and type its path instead.')
  })
})
