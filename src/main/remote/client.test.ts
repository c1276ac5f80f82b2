import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttps } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RegistryClient } from './client'
import { fixedCredential } from './credentials'
import { backoffMs } from './transport'

// The client against small real servers on loopback: retries (429 with Retry-After, 503, a reset
// connection), Basic auth after a challenge, redirects that leave the registry without the
// Authorization header, and TLS: an unknown authority gets advice, a certs.d CA or tls-verify off works.

type Handler = (req: IncomingMessage, res: ServerResponse) => void
const servers: Server[] = []

async function listen(server: Server): Promise<number> {
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return (server.address() as AddressInfo).port
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})

const fast = { retries: 3, baseMs: 10, maxMs: 50 }

describe('registry client', () => {
  it('retries 429 after Retry-After, 503 with backoff and a reset connection, then succeeds', async () => {
    const seen: number[] = []
    let n = 0
    const port = await listen(
      createHttp((req, res) => {
        n++
        seen.push(Date.now())
        if (req.url === '/v2/') return res.writeHead(200).end('{}')
        if (n === 2) return res.writeHead(429, { 'Retry-After': '1' }).end()
        if (n === 3) return res.writeHead(503).end()
        if (n === 4) return req.socket.destroy()
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"name":"a","tags":["1"]}')
      })
    )
    const client = new RegistryClient({ registry: `127.0.0.1:${port}`, retry: fast })
    expect(await client.tags('a')).toEqual(['1'])
    expect(n).toBe(5)
    expect(seen[2] - seen[1]).toBeGreaterThanOrEqual(950)
  })

  it('gives up after its retries with advice, and backoff grows with jitter within bounds', async () => {
    const port = await listen(createHttp((req, res) => res.writeHead(req.url === '/v2/' ? 200 : 502).end()))
    const client = new RegistryClient({ registry: `127.0.0.1:${port}`, retry: fast })
    await expect(client.tags('a')).rejects.toThrow(/answered HTTP 502 .*try again later/)
    const policy = { retries: 4, baseMs: 400, maxMs: 15_000 }
    for (let i = 0; i < 20; i++) {
      const d = backoffMs(3, policy)
      expect(d).toBeGreaterThanOrEqual(1600)
      expect(d).toBeLessThanOrEqual(3200)
    }
    expect(backoffMs(0, policy, new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000)
  })

  it('answers a Basic challenge with the credentials and drops them on a redirect to another host', async () => {
    const cdnAuth: (string | undefined)[] = []
    const cdn = await listen(
      createHttp((req, res) => {
        cdnAuth.push(req.headers.authorization)
        res.writeHead(200, { 'Content-Length': 5 }).end('bytes')
      })
    )
    const want = `Basic ${Buffer.from('u:p').toString('base64')}`
    const port = await listen(
      createHttp((req, res) => {
        if (req.headers.authorization !== want) return res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end()
        if (req.url === '/v2/') return res.writeHead(200).end()
        res.writeHead(307, { Location: `http://localhost:${cdn}/blob` }).end()
      })
    )
    const client = new RegistryClient({ registry: `127.0.0.1:${port}`, credentials: fixedCredential(`127.0.0.1:${port}`, { username: 'u', password: 'p' }) })
    const blob = await client.openBlob('a', `sha256:${'0'.repeat(64)}`)
    let body = ''
    for await (const chunk of blob.stream) body += chunk
    expect(body).toBe('bytes')
    expect(cdnAuth).toEqual([undefined])
    await expect(new RegistryClient({ registry: `127.0.0.1:${port}` }).tags('a')).rejects.toThrow(/wants credentials/)
  })

  it('advises on an unknown certificate authority; a certs.d CA or tls-verify off makes it work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' })
    const ok: Handler = (_req, res) => res.writeHead(200).end('{}')
    const port = await listen(createHttps({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, ok))
    // localhost may also try plain HTTP (loopback, as Docker allows); the HTTPS problem is what is reported.
    const registry = `localhost:${port}`
    const bad = new RegistryClient({ registry, certsDirs: [] })
    await expect(bad.ping()).rejects.toThrow(new RegExp(`add its CA to /etc/containers/certs.d/${registry}/ca.crt .*tls-verify`))
    const certs = join(dir, 'certs.d')
    mkdirSync(join(certs, registry), { recursive: true })
    writeFileSync(join(certs, registry, 'ca.crt'), readFileSync(join(dir, 'cert.pem')))
    expect(await new RegistryClient({ registry, certsDirs: [certs] }).ping()).toMatchObject({ scheme: 'https' })
    expect(await new RegistryClient({ registry, tlsVerify: false, certsDirs: [] }).ping()).toMatchObject({ scheme: 'https' })
  })
})
