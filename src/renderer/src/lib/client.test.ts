import { afterEach, describe, expect, it, vi } from 'vitest'
import { call, ClientError, httpTransport, setTransport } from './client'

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
