import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { get, createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { caPaths, loadOrCreateCa } from './ca'
import { loadCustomCertificate } from './custom-cert'
import { hostNames, interfaceAddresses, primaryAddress, shareNames } from './names'
import { ensureServerCertificate, renewalReason, serverCertPath } from './server-cert'
import { loadX509 } from './x509'

const x509 = await loadX509()

const names = { dns: ['box', 'box.local', 'localhost'], ips: ['127.0.0.1', '10.212.0.1'] }

function httpsGet(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', ca, servername: servername === '127.0.0.1' ? undefined : servername, headers: { host: servername } }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve(body))
    }).on('error', reject)
  })
}

describe('Berth local CA', () => {
  it('is a P-256 CA that may sign end-entity certificates only, stored with a 0600 key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-tls-'))
    const ca = await loadOrCreateCa(join(dir, 'tls'), { hostname: 'box' })
    const cert = new X509Certificate(ca.pem)
    expect(cert.ca).toBe(true)
    expect(cert.subject).toContain('CN=Berth local CA (box)')
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    const bc = ca.cert.getExtension(x509.BasicConstraintsExtension)!
    expect([bc.ca, bc.pathLength, bc.critical]).toEqual([true, 0, true])
    expect(ca.cert.getExtension(x509.KeyUsagesExtension)!.usages & x509.KeyUsageFlags.keyCertSign).toBeTruthy()
    expect(ca.cert.getExtension(x509.SubjectKeyIdentifierExtension)).toBeTruthy()
    // RFC 5280: a positive serial of at most 20 octets.
    expect(cert.serialNumber).toMatch(/^[1-7][0-9A-F]{31}$/i)
    expect((await stat(caPaths(join(dir, 'tls')).key)).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'tls'))).mode & 0o777).toBe(0o700)
    // Loaded again, not made again.
    expect((await loadOrCreateCa(join(dir, 'tls'))).fingerprint).toBe(ca.fingerprint)
  })

  it('is made once when two callers ask at the same moment', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'berth-tls-')), 'tls')
    const [a, b, c] = await Promise.all([loadOrCreateCa(dir), loadOrCreateCa(dir), loadOrCreateCa(dir)])
    expect(new Set([a.fingerprint, b.fingerprint, c.fingerprint]).size).toBe(1)
  })
})

describe('server certificate', () => {
  it('is signed by the CA for every name and address, for TLS servers only, and verifies over HTTPS', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'berth-tls-')), 'tls')
    const ca = await loadOrCreateCa(dir)
    const server = await ensureServerCertificate(dir, ca, names)
    expect(server.issued).toBe(true)
    const leaf = new X509Certificate(server.certPem)
    const caCert = new X509Certificate(ca.pem)
    expect(leaf.checkIssued(caCert)).toBe(true)
    expect(leaf.verify(caCert.publicKey)).toBe(true)
    expect(leaf.ca).toBe(false)
    expect(leaf.subjectAltName).toBe('DNS:box, DNS:box.local, DNS:localhost, IP Address:127.0.0.1, IP Address:10.212.0.1')
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    const parsed = new x509.X509Certificate(server.certPem)
    const aki = parsed.getExtension(x509.AuthorityKeyIdentifierExtension)!
    expect(aki.keyId).toBe(ca.cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId)
    const days = (new Date(leaf.validTo).getTime() - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(396)
    expect(days).toBeLessThanOrEqual(397)
    expect((await stat(serverCertPath(dir))).mode & 0o777).toBe(0o600)

    const https = createServer({ cert: server.certPem, key: server.keyPem }, (_req, res) => res.end('hello'))
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r))
    const { port } = https.address() as AddressInfo
    try {
      expect(await httpsGet(port, 'localhost', ca.pem)).toBe('hello')
      expect(await httpsGet(port, '127.0.0.1', ca.pem)).toBe('hello')
      expect(await httpsGet(port, 'box.local', ca.pem)).toBe('hello')
      await expect(httpsGet(port, 'elsewhere.example', ca.pem)).rejects.toThrow(/altnames/)
      await expect(httpsGet(port, 'localhost', (await loadOrCreateCa(join(dir, 'other'))).pem)).rejects.toThrow(/self-signed|unable to verify|local issuer/)
    } finally {
      https.close()
    }
  })

  it('is kept while right, issued again when the addresses change, the CA changes or 30 days are left', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'berth-tls-')), 'tls')
    const ca = await loadOrCreateCa(dir)
    const first = await ensureServerCertificate(dir, ca, names)
    const again = await ensureServerCertificate(dir, ca, names)
    expect(again.issued).toBe(false)
    expect(again.info.fingerprint).toBe(first.info.fingerprint)
    const moved = await ensureServerCertificate(dir, ca, { ...names, ips: ['127.0.0.1', '10.212.0.9'] })
    expect(moved.issued).toBe(true)
    expect(moved.info.names).toContain('10.212.0.9')
    const later = new Date(Date.now() + 370 * 86_400_000)
    expect(renewalReason({ names: moved.info.names, caFingerprint: ca.fingerprint, notAfter: moved.info.notAfter }, moved.info.names, ca, later)).toMatch(/30 days/)
    expect((await ensureServerCertificate(dir, ca, { ...names, ips: ['127.0.0.1', '10.212.0.9'] }, later)).issued).toBe(true)
    const otherCa = await loadOrCreateCa(join(dir, 'other'))
    expect(renewalReason({ names: moved.info.names, caFingerprint: ca.fingerprint, notAfter: moved.info.notAfter }, moved.info.names, otherCa, new Date())).toMatch(/another CA/)
  })
})

describe('share names', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4' as const, internal: true, netmask: '255.0.0.0', mac: '', cidr: null }],
    eth0: [
      { address: '192.168.1.20', family: 'IPv4' as const, internal: false, netmask: '255.255.255.0', mac: '', cidr: null },
      { address: 'fe80::1', family: 'IPv6' as const, internal: false, netmask: 'ffff::', mac: '', cidr: null, scopeid: 2 },
      { address: 'fd00::20', family: 'IPv6' as const, internal: false, netmask: 'ffff::', mac: '', cidr: null, scopeid: 0 }
    ]
  }
  it('names every interface address for 0.0.0.0, and the v6 ones (not link-local) for ::', () => {
    expect(shareNames('0.0.0.0', { interfaces, hostname: 'Box.lan' })).toEqual({
      dns: ['box', 'box.lan', 'box.local', 'host.containers.internal', 'host.docker.internal', 'host.lima.internal', 'localhost'],
      ips: ['127.0.0.1', '192.168.1.20']
    })
    expect(shareNames('::', { interfaces, hostname: 'box' }).ips).toEqual(['127.0.0.1', '192.168.1.20', 'fd00::20'])
  })
  it('names the bound address only, plus the host names', () => {
    expect(shareNames('10.212.0.1', { interfaces, hostname: 'box' })).toEqual({ dns: ['box', 'box.local', 'localhost'], ips: ['10.212.0.1', '127.0.0.1'] })
    expect(primaryAddress('10.212.0.1', shareNames('10.212.0.1', { interfaces, hostname: 'box' }))).toBe('10.212.0.1')
    expect(primaryAddress('0.0.0.0', shareNames('0.0.0.0', { interfaces, hostname: 'box' }))).toBe('192.168.1.20')
  })
  it('offers each reachable interface address to share on alone: not loopback, not link-local', () => {
    expect(interfaceAddresses(interfaces)).toEqual([
      { interface: 'eth0', address: '192.168.1.20', family: 'IPv4' },
      { interface: 'eth0', address: 'fd00::20', family: 'IPv6' }
    ])
  })
  it('drops host names that are not DNS names', () => {
    expect(hostNames('my_box')).toEqual([])
  })
})

describe('what openssl says about the chain', () => {
  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })()

  it.skipIf(!hasOpenssl)('verifies the server certificate against the CA for TLS servers, by name and by IP, with RFC 5280 extensions', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'berth-tls-')), 'tls')
    const ca = await loadOrCreateCa(dir)
    const server = await ensureServerCertificate(dir, ca, names)
    await writeFile(join(dir, 'ca.pem'), ca.pem)
    await writeFile(join(dir, 'leaf.pem'), server.certPem)
    const verify = (args: string[]) => execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), '-purpose', 'sslserver', ...args, join(dir, 'leaf.pem')], { encoding: 'utf8' })
    expect(verify(['-verify_hostname', 'box.local'])).toMatch(/leaf\.pem: OK/)
    expect(verify(['-verify_ip', '10.212.0.1'])).toMatch(/leaf\.pem: OK/)
    expect(() => verify(['-verify_hostname', 'elsewhere.example'])).toThrow()
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'leaf.pem')], { encoding: 'utf8' })
    expect(text).toMatch(/X509v3 Subject Key Identifier/)
    expect(text).toMatch(/X509v3 Authority Key Identifier/)
    expect(text).toMatch(/X509v3 Extended Key Usage: *\n *TLS Web Server Authentication/)
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n *CA:FALSE/)
    expect(text).toMatch(/ecdsa-with-SHA256/)
    const caText = execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'ca.pem')], { encoding: 'utf8' })
    expect(caText).toMatch(/X509v3 Basic Constraints: critical\n *CA:TRUE, pathlen:0/)
    expect(caText).toMatch(/X509v3 Key Usage: critical\n *Certificate Sign, CRL Sign/)
  })
})

describe('a certificate of your own (--tls-cert, --tls-key)', () => {
  it('is read and described, and a key of another certificate is refused', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'berth-tls-')), 'tls')
    const ca = await loadOrCreateCa(dir)
    const mine = await ensureServerCertificate(join(dir, 'a'), ca, names)
    const other = await ensureServerCertificate(join(dir, 'b'), ca, { dns: ['other'], ips: [] })
    await writeFile(join(dir, 'mine.crt'), mine.certPem)
    await writeFile(join(dir, 'mine.key'), mine.keyPem)
    await writeFile(join(dir, 'other.key'), other.keyPem)
    const loaded = await loadCustomCertificate(join(dir, 'mine.crt'), join(dir, 'mine.key'))
    expect(loaded.info).toMatchObject({ source: 'custom', names: ['box', 'box.local', 'localhost', '127.0.0.1', '10.212.0.1'], fingerprint: mine.info.fingerprint })
    await expect(loadCustomCertificate(join(dir, 'mine.crt'), join(dir, 'other.key'))).rejects.toThrow(/does not belong to the certificate/)
    await expect(loadCustomCertificate(join(dir, 'missing.crt'), join(dir, 'mine.key'))).rejects.toThrow(/cannot read the certificate or key file \(ENOENT/)
  })
})
