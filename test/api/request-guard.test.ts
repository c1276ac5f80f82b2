import { randomBytes } from 'node:crypto'
import { readdir, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { buildProgram } from '../../src/main/cli'
import { isLoopbackHost, normalizeOrigin } from '../../src/main/registry/request-guard'
import { createRegistryServer, type RegistryServer } from '../../src/main/registry/server'
import { openStorage } from '../../src/main/storage'
import { tempDir } from '../helpers/berth'
import { pushBlob, sha256 } from '../helpers/registry-http'

// The registry port against browser-borne requests: on a loopback bind only loopback Host names are
// answered (DNS rebinding), and a request carrying an Origin is refused (403 DENIED, the spec's JSON)
// unless that origin is allowed. Clients that send no Origin (docker, skopeo, podman) are untouched.

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function send(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }))
    })
    r.on('error', reject)
    r.end(body)
  })
}

const opened: { server: RegistryServer; dir: string }[] = []
afterEach(async () => {
  for (const { server, dir } of opened.splice(0)) {
    await server.close(100)
    await rm(dir, { recursive: true, force: true })
  }
})

async function registry(host = '127.0.0.1', allowedOrigins?: string[]) {
  const dir = await tempDir('berth-guard-reg-')
  const server = createRegistryServer({ storage: await openStorage(dir), purgeIntervalMs: 0, allowedOrigins })
  const { port } = await server.listen(0, host)
  opened.push({ server, dir })
  return { port, dir, url: `http://127.0.0.1:${port}` }
}

/** Nothing was written: no repository, no upload, no blob. */
async function nothingStored(dir: string) {
  const v2 = `${dir}/docker/registry/v2`
  expect(await readdir(`${v2}/repositories`).catch(() => [])).toEqual([])
  expect(await readdir(`${v2}/blobs/sha256`).catch(() => [])).toEqual([])
}

describe('the registry request guard', () => {
  it('knows loopback Host values, with and without a port', () => {
    for (const h of ['localhost', 'LOCALHOST:5000', '127.0.0.1', '127.0.0.1:5000', '[::1]', '[::1]:5000']) expect(isLoopbackHost(h), h).toBe(true)
    for (const h of ['evil.example', 'evil.example:5000', '127.0.0.1.nip.io', 'localhost.evil.example:5000', '127.0.0.2', '[::2]:5000', '', 'localhost:5000:1', '::1'])
      expect(isLoopbackHost(h), h).toBe(false)
    expect(normalizeOrigin('http://LocalHost:8080/')).toBe('http://localhost:8080')
    expect(normalizeOrigin('null')).toBeNull()
  })

  it('on a loopback bind, a foreign Host gets 403 with the spec’s JSON error (DENIED), loopback names pass', async () => {
    const { port } = await registry()
    for (const host of ['evil.example', `evil.example:${port}`, `rebind.127.0.0.1.nip.io:${port}`]) {
      const r = await send(port, 'GET', '/v2/', { Host: host })
      expect(r.status, host).toBe(403)
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
      const body = JSON.parse(r.body)
      expect(body.errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringMatching(/answers only to localhost, 127\.0\.0\.1 or \[::1\]/), detail: { host } })
    }
    for (const host of ['localhost', `localhost:${port}`, `127.0.0.1:${port}`, '[::1]', `[::1]:${port}`]) expect((await send(port, 'GET', '/v2/', { Host: host })).status, host).toBe(200)
  })

  it('refuses any request carrying an Origin (403 DENIED, saying what to do), and stores nothing from it', async () => {
    const { port, dir } = await registry()
    const blob = randomBytes(1024)
    const digest = sha256(blob)
    for (const origin of ['http://127.0.0.1:3000', `http://127.0.0.1:${port}`, 'null', 'https://evil.example']) {
      const post = await send(port, 'POST', `/v2/x/blobs/uploads/?digest=${digest}`, { Host: `127.0.0.1:${port}`, Origin: origin, 'Content-Type': 'text/plain', 'Content-Length': String(blob.length) }, blob)
      expect(post.status, origin).toBe(403)
      const error = JSON.parse(post.body).errors[0]
      expect(error).toMatchObject({ code: 'DENIED', detail: { origin } })
      expect(error.message).toMatch(/registry clients never send Origin.*--allow-origin/)
      expect(post.headers['access-control-allow-origin']).toBeUndefined()
      expect((await send(port, 'GET', '/v2/_catalog', { Origin: origin })).status).toBe(403)
    }
    await nothingStored(dir)
  })

  it('lets an allowed origin through, with CORS headers and its preflight answered', async () => {
    const { port, dir } = await registry('127.0.0.1', ['http://localhost:8080/'])
    const ok = await send(port, 'GET', '/v2/', { Origin: 'http://localhost:8080' })
    expect(ok.status).toBe(200)
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:8080')
    expect(ok.headers.vary).toBe('Origin')
    const preflight = await send(port, 'OPTIONS', '/v2/x/blobs/uploads/', { Origin: 'http://localhost:8080', 'Access-Control-Request-Method': 'POST' })
    expect(preflight.status).toBe(204)
    expect(preflight.headers['access-control-allow-methods']).toMatch(/POST/)
    expect((await send(port, 'GET', '/v2/', { Origin: 'http://localhost:8081' })).status).toBe(403)
    await nothingStored(dir)
  })

  it('requests like docker’s, skopeo’s and podman’s (no Origin, Host localhost:<port>) push and pull as before', async () => {
    const { port, url } = await registry()
    const blob = randomBytes(4096)
    const digest = await pushBlob(url, 'team/app', blob)
    const head = await send(port, 'HEAD', `/v2/team/app/blobs/${digest}`, { Host: `localhost:${port}`, 'User-Agent': 'docker/27.0 go/go1.22' })
    expect(head.status).toBe(200)
    expect(head.headers['docker-content-digest']).toBe(digest)
  })

  it('on a non-loopback bind, does not refuse the machine’s own names (sharing), still refuses Origin', async () => {
    const { port } = await registry('0.0.0.0')
    expect((await send(port, 'GET', '/v2/', { Host: `my-laptop.local:${port}` })).status).toBe(200)
    expect((await send(port, 'GET', '/v2/', { Host: `my-laptop.local:${port}`, Origin: 'http://my-laptop.local:3000' })).status).toBe(403)
  })

  it('berth serve --allow-origin takes origins (repeatable, normalized) and refuses a URL with a path', async () => {
    const parse = async (...args: string[]) => {
      const program = buildProgram().exitOverride()
      const serve = program.commands.find((c) => c.name() === 'serve')!
      let seen: { allowOrigin?: string[] } | null = null
      serve.exitOverride().configureOutput({ writeErr: () => {} }).action((opts) => void (seen = opts))
      await program.parseAsync(['node', 'berth', 'serve', ...args])
      return seen as { allowOrigin?: string[] } | null
    }
    expect((await parse())?.allowOrigin).toBeUndefined()
    expect((await parse('--allow-origin', 'http://localhost:8080/', '--allow-origin', 'HTTPS://Tools.Example'))?.allowOrigin).toEqual(['http://localhost:8080', 'https://tools.example'])
    await expect(parse('--allow-origin', 'http://localhost:8080/ui')).rejects.toThrow(/an origin is scheme:\/\/host\[:port\]/)
  })
})
