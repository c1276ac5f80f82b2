import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOrCreateCa } from '../tls/ca'
import { ensureServerCertificate } from '../tls/server-cert'
import { mergeInsecure } from './daemon-json'
import { isInsecure } from './docker-rules'
import { diagnose, HTTP_TO_HTTPS, UNKNOWN_AUTHORITY, type DockerInfo } from './doctor'
import { engineKind } from '../docker/engine-location'

// The doctor against real HTTP and HTTPS servers on loopback. Loopback is insecure by default for
// dockerd, so the "secure" cases use an engine answer without that range, as a stricter engine gives.

const DEFAULT_CONFIG = { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: { 'docker.io': { Name: 'docker.io', Secure: true } } }
const STRICT = { InsecureRegistryCIDRs: [], IndexConfigs: {} }
const native: DockerInfo = { OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', Name: 'vm', KernelVersion: '6.1.0', OSType: 'linux' }

let http: Server
let https: Server
let httpPort = 0
let httpsPort = 0
let caPem = ''
const https2 = { cert: '', key: '' }
let home = ''

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-doctor-'))
  const tls = join(home, 'tls')
  const ca = await loadOrCreateCa(tls)
  caPem = ca.pem
  const cert = await ensureServerCertificate(tls, ca, { dns: ['localhost'], ips: ['127.0.0.1'] })
  https2.cert = cert.certPem
  https2.key = cert.keyPem
  http = createHttpServer((_q, r) => r.end('{}'))
  https = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (_q, r) => r.end('{}'))
  httpPort = await listen(http)
  httpsPort = await listen(https)
})
afterAll(() => {
  http.close()
  https.close()
})

const base = (registry: string, info: DockerInfo, extra: Partial<Parameters<typeof diagnose>[0]> = {}) =>
  diagnose({ registry, info, endpoint: 'unix:///var/run/docker.sock', platform: 'linux', home, berthCa: true, certsRoot: join(home, 'certs.d'), ...extra })

describe('dockerd\'s insecure-registry rule', () => {
  it('treats 127.0.0.0/8 as insecure by default, names in IndexConfigs as configured, the rest as secure', async () => {
    expect((await isInsecure('localhost:5000', DEFAULT_CONFIG)).insecure).toBe(true)
    expect((await isInsecure('127.0.0.1:5000', DEFAULT_CONFIG)).insecure).toBe(true)
    expect((await isInsecure('10.212.0.1:5000', DEFAULT_CONFIG)).insecure).toBe(false)
    expect((await isInsecure('10.212.0.1:5000', { InsecureRegistryCIDRs: ['10.212.0.0/24'] })).insecure).toBe(true)
    expect((await isInsecure('reg.lan:5000', { IndexConfigs: { 'reg.lan:5000': { Name: 'reg.lan:5000', Secure: false } } }, async () => ['192.168.1.2'])).insecure).toBe(true)
    // The old API shape: base64 IP and mask bytes.
    expect((await isInsecure('10.1.2.3:5000', { InsecureRegistryCIDRs: [{ IP: Buffer.from([10, 0, 0, 0]).toString('base64'), Mask: Buffer.from([255, 0, 0, 0]).toString('base64') }] })).insecure).toBe(true)
  })
})

describe('daemon.json merge', () => {
  it('adds the registry and keeps every other key', () => {
    const existing = JSON.stringify({ 'registry-mirrors': ['https://m.example'], 'log-driver': 'journald', 'insecure-registries': ['old:5000'] })
    expect(JSON.parse(mergeInsecure(existing, '10.212.0.1:5000'))).toEqual({
      'registry-mirrors': ['https://m.example'],
      'log-driver': 'journald',
      'insecure-registries': ['old:5000', '10.212.0.1:5000']
    })
    expect(JSON.parse(mergeInsecure(null, 'a:1'))).toEqual({ 'insecure-registries': ['a:1'] })
    expect(mergeInsecure(mergeInsecure(null, 'a:1'), 'a:1')).toBe(mergeInsecure(null, 'a:1'))
    expect(() => mergeInsecure('[1]', 'a:1')).toThrow()
  })
})

describe('engine in a VM', () => {
  it.each([
    [{ OperatingSystem: 'Docker Desktop', Name: 'docker-desktop', KernelVersion: '6.10.14-linuxkit' }, 'unix:///Users/me/.docker/run/docker.sock', 'darwin', 'docker-desktop'],
    [{ OperatingSystem: 'OrbStack', Name: 'orbstack', KernelVersion: '6.11.10-orbstack-00280' }, 'unix:///Users/me/.orbstack/run/docker.sock', 'darwin', 'orbstack'],
    [{ OperatingSystem: 'Ubuntu 24.04 LTS', Name: 'colima', KernelVersion: '6.8.0-50-generic' }, 'unix:///Users/me/.colima/default/docker.sock', 'darwin', 'colima'],
    [{ OperatingSystem: 'fedora', Name: 'localhost.localdomain', KernelVersion: '6.12.5-200.fc41.aarch64' }, 'unix:///var/folders/x/podman/podman-machine-default-api.sock', 'darwin', 'podman-machine'],
    [{ OperatingSystem: 'Alpine Linux v3.20', Name: 'lima-rancher-desktop', KernelVersion: '6.6.63-0-virt' }, 'unix:///Users/me/.rd/docker.sock', 'darwin', 'rancher-desktop'],
    [{ OperatingSystem: 'Ubuntu 22.04', Name: 'builder', KernelVersion: '5.15' }, 'tcp://10.0.0.5:2376', 'linux', 'remote'],
    [{ OperatingSystem: 'Ubuntu 22.04', Name: 'builder', KernelVersion: '5.15' }, 'ssh://me@build.example', 'linux', 'remote'],
    [{ OperatingSystem: 'Ubuntu 22.04', Name: 'box', KernelVersion: '5.15' }, 'tcp://127.0.0.1:2375', 'linux', 'native'],
    [native, 'unix:///var/run/docker.sock', 'linux', 'native']
  ] as const)('%o at %s on %s is %s', (info, endpoint, platform, kind) => {
    const found = engineKind({ info, endpoint, hostPlatform: platform })
    expect(found.kind).toBe(kind)
    expect(found.sharesLocalhost).toBe(kind === 'native')
  })

  it('explains that localhost in a terminal push is the VM, and offers host.docker.internal with the merged daemon.json, or TLS with the CA', async () => {
    await mkdir(join(home, '.docker'), { recursive: true })
    await writeFile(join(home, '.docker', 'daemon.json'), JSON.stringify({ builder: { gc: { enabled: true } } }))
    const report = await base(`localhost:${httpPort}`, { OperatingSystem: 'Docker Desktop', Name: 'docker-desktop', RegistryConfig: DEFAULT_CONFIG }, { platform: 'darwin', endpoint: 'unix:///Users/me/.docker/run/docker.sock' })
    expect(report.ok).toBe(false)
    expect(report.engine?.kind).toBe('docker-desktop')
    expect(report.reasons.join(' ')).toMatch(/inside its VM, where localhost is the VM itself/)
    const [plain, tls] = report.fixes
    expect(plain.file?.path).toBe(join(home, '.docker', 'daemon.json'))
    expect(JSON.parse(plain.file!.content)).toEqual({ builder: { gc: { enabled: true } }, 'insecure-registries': [`host.docker.internal:${httpPort}`] })
    expect(plain.commands).toContain(`docker push host.docker.internal:${httpPort}/app:1.0`)
    expect(tls.commands.join('\n')).toMatch(/security add-trusted-cert -d -r trustRoot -k ~\/Library\/Keychains\/login.keychain-db berth-ca.crt/)
    expect(tls.commands).toContain(`docker login host.docker.internal:${httpPort}`)
  })
})

describe('the doctor against real servers', () => {
  it('passes plain HTTP on loopback (insecure by default)', async () => {
    const report = await base(`localhost:${httpPort}`, { ...native, RegistryConfig: DEFAULT_CONFIG })
    expect(report).toMatchObject({ ok: true, transport: 'http', insecure: true, dockerError: null })
  })

  it('fails plain HTTP where the engine wants HTTPS, explains the error and gives the merged daemon.json', async () => {
    const report = await base(`127.0.0.1:${httpPort}`, { ...native, RegistryConfig: STRICT })
    expect(report.ok).toBe(false)
    expect(report.dockerError).toBe(HTTP_TO_HTTPS)
    expect(report.reasons.join(' ')).toMatch(/TLS hello then gets an HTTP answer/)
    const fix = report.fixes.find((f) => f.id === 'insecure-registries')!
    expect(fix.file?.path).toBe('/etc/docker/daemon.json')
    expect(JSON.parse(fix.file!.content)['insecure-registries']).toContain(`127.0.0.1:${httpPort}`)
    expect(fix.commands).toContain('sudo systemctl restart docker')
    expect(fix.note).toMatch(/stops every running container/)
  })

  it('fails HTTPS from an unknown CA with the certs.d commands, and passes once the CA is there', async () => {
    const registry = `127.0.0.1:${httpsPort}`
    const before = await base(registry, { ...native, RegistryConfig: STRICT })
    expect(before).toMatchObject({ ok: false, transport: 'https', caInstalled: false, dockerError: UNKNOWN_AUTHORITY })
    expect(before.fixes[0].commands).toEqual([`sudo mkdir -p ${join(home, 'certs.d', registry)}`, `berth tls ca | sudo tee ${join(home, 'certs.d', registry)}/ca.crt >/dev/null`])
    await mkdir(join(home, 'certs.d', registry), { recursive: true })
    await writeFile(join(home, 'certs.d', registry, 'ca.crt'), caPem)
    const after = await base(registry, { ...native, RegistryConfig: STRICT })
    expect(after).toMatchObject({ ok: true, transport: 'https', caInstalled: true })
  })

  it('names a certificate that does not cover the address', async () => {
    // The same certificate (for localhost and 127.0.0.1) served at 127.0.0.2.
    const other = createHttpsServer({ cert: https2.cert, key: https2.key }, (_q, r) => r.end('{}'))
    const port = await new Promise<number>((resolve) => other.listen(0, '127.0.0.2', () => resolve((other.address() as AddressInfo).port)))
    try {
      const registry = `127.0.0.2:${port}`
      await mkdir(join(home, 'certs.d', registry), { recursive: true })
      await writeFile(join(home, 'certs.d', registry, 'ca.crt'), caPem)
      const report = await base(registry, { ...native, RegistryConfig: STRICT })
      expect(report.ok).toBe(false)
      expect(report.dockerError).toBe('x509: certificate is valid for localhost, 127.0.0.1, not 127.0.0.2')
      expect(report.fixes[0].id).toBe('use-a-name')
    } finally {
      other.close()
    }
  })

  it('says when nothing answers', async () => {
    const closed = createHttpServer()
    const port = await listen(closed)
    closed.close()
    const report = await base(`127.0.0.1:${port}`, { ...native, RegistryConfig: DEFAULT_CONFIG })
    expect(report).toMatchObject({ ok: false, transport: 'unreachable' })
    expect(report.reasons[0]).toMatch(/Nothing answers/)
  })
})
