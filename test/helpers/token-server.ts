import { randomUUID, sign } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { tempDir } from './berth'
import { startDistribution, type RunningDistribution } from './distribution'
import { run } from './run'

// Docker's token authentication with a real registry: Distribution 2.8 configured with `auth.token`
// trusts JWTs signed by a key whose certificate is in its rootcertbundle; the token server here
// checks Basic credentials and signs ES256 tokens granting the scopes asked for (docs/spec/auth/jwt.md).

export interface TokenRequest {
  scopes: string[]
  service: string | null
  user: string | null
}

export interface TokenAuthRegistry extends RunningDistribution {
  user: string
  password: string
  requests: TokenRequest[]
  /** A token for raw API checks. */
  token(scopes: string[]): string
  stop(): Promise<void>
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

export async function startTokenAuthRegistry(user = 'bob', password = 'token-pass-42'): Promise<TokenAuthRegistry> {
  const dir = await tempDir('berth-remote-token-')
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=berth-test-token-issuer'])
  const key = await readFile(keyFile, 'utf8')
  const certDer = Buffer.from((await readFile(certFile, 'utf8')).replace(/-----[^-]+-----|\s/g, ''), 'base64')
  const service = 'berth-test-registry'
  const issuer = 'berth-test-issuer'
  const requests: TokenRequest[] = []

  function token(scopes: string[], subject = user): string {
    const now = Math.floor(Date.now() / 1000)
    const access = scopes.map((s) => {
      const [type, ...rest] = s.split(':')
      const actions = rest.pop()!.split(',')
      return { type, name: rest.join(':'), actions }
    })
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [certDer.toString('base64')] }))
    const payload = b64url(JSON.stringify({ iss: issuer, sub: subject, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }))
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' })
    return `${header}.${payload}.${b64url(signature)}`
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const auth = req.headers.authorization
    const decoded = auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : null
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean)
    requests.push({ scopes, service: url.searchParams.get('service'), user: decoded?.split(':')[0] ?? null })
    if (decoded !== `${user}:${password}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }))
      return
    }
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ token: token(scopes), expires_in: 300, issued_at: new Date().toISOString() }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
  const dist = await startDistribution(join(dir, 'data'), {
    extraConfig: ['auth:', '  token:', `    realm: ${realm}`, `    service: ${service}`, `    issuer: ${issuer}`, `    rootcertbundle: ${certFile}`]
  })
  return {
    ...dist,
    user,
    password,
    requests,
    token,
    async stop() {
      await dist.close()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}
