import { afterEach, describe, expect, it, vi } from 'vitest'
import { call, ClientError, httpTransport, importDroppedFile, setTransport } from './client'

afterEach(() => {
  setTransport(null)
  vi.unstubAllGlobals()
})

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

describe('the HTTP transport of berth serve', () => {
  it('posts the input as JSON to /api/<method> and returns the result', async () => {
    const fetch = answer(200, { ok: true, result: { total: 0, items: [] } })
    vi.stubGlobal('fetch', fetch)
    setTransport(httpTransport())
    await expect(call('catalog.repositories', { filter: 'team' })).resolves.toEqual({ total: 0, items: [] })
    expect(fetch).toHaveBeenCalledWith('/api/catalog.repositories', expect.objectContaining({ method: 'POST', credentials: 'same-origin', body: '{"filter":"team"}' }))
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
    setTransport(httpTransport())
    await expect(call('registry.status')).rejects.toThrow('open the address `berth serve` printed')
  })

  it('says the service is gone when nothing answers', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    setTransport(httpTransport())
    await expect(call('registry.status')).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('does not answer') })
  })
})

describe('a dropped file', () => {
  it('over HTTP is uploaded with PUT /api/upload, then imported from the path the service answers', async () => {
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      if (url === '/api/upload') return new Response(JSON.stringify({ ok: true, result: { path: '/data/uploads/upload-1.tar' } }), { status: 200 })
      return new Response(JSON.stringify({ ok: true, result: { format: 'docker-archive', images: [], blobs: 0, bytes: 0, echo: JSON.parse(String(init.body)) } }), { status: 200 })
    })
    vi.stubGlobal('fetch', fetch)
    setTransport(httpTransport())
    const file = new File(['tar bytes'], 'my app.tar')
    const { path } = await importDroppedFile(file, 'team/app')
    expect(path).toBe('/data/uploads/upload-1.tar')
    expect(fetch.mock.calls[0][0]).toBe('/api/upload')
    expect(fetch.mock.calls[0][1]).toMatchObject({ method: 'PUT', credentials: 'same-origin', body: file, headers: { 'X-Berth-File-Name': 'my%20app.tar' } })
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
