import { describe, expect, it } from 'vitest'
import { classifyEngine, classifyProbeAnswer, type EngineFacts } from './engine-location'

// `info`/`version` answers as these products give them (abridged to the fields read).
const facts = (over: Partial<EngineFacts> & { info?: EngineFacts['info'] }): EngineFacts => ({
  endpoint: 'unix:///var/run/docker.sock',
  hostPlatform: 'linux',
  info: { OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', Name: 'laptop', KernelVersion: '6.1.0-18-amd64', OSType: 'linux', Labels: [] },
  version: { Os: 'linux', Platform: { Name: '' }, Components: [{ Name: 'Engine' }] },
  ...over
})

describe('engine location from info and version', () => {
  it('a native engine on Linux over its socket is local', () => {
    expect(classifyEngine(facts({}))).toMatchObject({ where: 'local', product: 'docker-engine' })
  })

  it.each([
    ['Docker Desktop (macOS)', facts({ hostPlatform: 'darwin', endpoint: 'unix:///Users/me/.docker/run/docker.sock', info: { OperatingSystem: 'Docker Desktop', Name: 'docker-desktop', KernelVersion: '6.10.14-linuxkit', OSType: 'linux', Labels: ['com.docker.desktop.address=unix:///Users/me/Library/Containers/com.docker.docker/Data/docker-cli.sock'] } }), 'docker-desktop'],
    ['Docker Desktop for Linux', facts({ endpoint: 'unix:///home/me/.docker/desktop/docker.sock', info: { OperatingSystem: 'Docker Desktop', Name: 'docker-desktop', KernelVersion: '6.6.32-linuxkit' } }), 'docker-desktop'],
    ['OrbStack', facts({ hostPlatform: 'darwin', endpoint: 'unix:///Users/me/.orbstack/run/docker.sock', info: { OperatingSystem: 'OrbStack', Name: 'orbstack', KernelVersion: '6.9.8-orbstack-00170-g7b4100b7ced4' } }), 'orbstack'],
    ['OrbStack (older: Alpine)', facts({ hostPlatform: 'darwin', info: { OperatingSystem: 'Alpine Linux edge (containerized)', KernelVersion: '6.1.23-orbstack-00113-g6614aaccb205-dirty' } }), 'orbstack'],
    ['Colima', facts({ hostPlatform: 'darwin', endpoint: 'unix:///Users/me/.colima/default/docker.sock', info: { OperatingSystem: 'Ubuntu 24.04.1 LTS', Name: 'colima', KernelVersion: '6.8.0-50-generic' } }), 'colima'],
    ['Rancher Desktop', facts({ hostPlatform: 'darwin', endpoint: 'unix:///Users/me/.rd/docker.sock', info: { OperatingSystem: 'Alpine Linux v3.20', Name: 'lima-rancher-desktop', KernelVersion: '6.6.63-0-virt' } }), 'rancher-desktop'],
    ['a Lima VM', facts({ hostPlatform: 'darwin', endpoint: 'unix:///Users/me/.lima/docker/sock/docker.sock', info: { Name: 'lima-docker' } }), 'lima'],
    ['a Podman machine', facts({ hostPlatform: 'darwin', endpoint: 'unix:///var/folders/x/podman/podman-machine-default-api.sock', info: { OperatingSystem: 'fedora', Name: 'localhost.localdomain', KernelVersion: '6.11.3-200.fc40.aarch64' }, version: { Os: 'linux', Components: [{ Name: 'Podman Engine' }] } }), 'podman-machine'],
    ['Docker Engine in WSL, Berth on Windows', facts({ hostPlatform: 'win32', endpoint: 'npipe:////./pipe/docker_engine', info: { OperatingSystem: 'Ubuntu 22.04', KernelVersion: '5.15.153.1-microsoft-standard-WSL2' } }), 'wsl']
  ])('%s runs in a VM', (_name, f, product) => {
    const located = classifyEngine(f)
    expect(located).toMatchObject({ where: 'vm', product })
    expect(located.hints.length).toBeGreaterThan(0)
  })

  it('Podman on Linux itself is local', () => {
    expect(classifyEngine(facts({ endpoint: 'unix:///run/user/1000/podman/podman.sock', version: { Components: [{ Name: 'Podman Engine' }] } }))).toMatchObject({ where: 'local', product: 'podman' })
  })

  it('any Linux engine seen from macOS is in some VM, whatever it calls itself', () => {
    expect(classifyEngine(facts({ hostPlatform: 'darwin', endpoint: 'unix:///tmp/some.sock' }))).toMatchObject({ where: 'vm', product: 'docker-engine' })
  })

  it('a tcp:// or ssh:// DOCKER_HOST on another machine is remote; on loopback it is local', () => {
    expect(classifyEngine(facts({ endpoint: 'tcp://10.1.2.3:2375' })).where).toBe('remote')
    expect(classifyEngine(facts({ endpoint: 'ssh://me@build.example.com' })).where).toBe('remote')
    expect(classifyEngine(facts({ endpoint: 'tcp://[fd00::5]:2376' })).where).toBe('remote')
    expect(classifyEngine(facts({ endpoint: 'tcp://127.0.0.1:2375' })).where).toBe('local')
    // Docker Desktop reached over a forwarded TCP port is still Docker Desktop's VM.
    expect(classifyEngine(facts({ endpoint: 'tcp://localhost:2375', info: { OperatingSystem: 'Docker Desktop' } })).where).toBe('vm')
  })
})

describe('what the probe pull tells', () => {
  it.each([
    ['manifest for localhost:5000/berth-probe/reachability:absent-1 not found: manifest unknown: manifest unknown', 'answered', true],
    ['pull access denied for localhost:5000/berth-probe/reachability, repository does not exist or may require \'docker login\'', 'answered', true],
    ['Head "https://reg.lan:5000/v2/x/manifests/y": unauthorized: authentication required', 'answered', true],
    ['Error response from daemon: Get "https://10.0.0.2:5000/v2/x/manifests/y": no basic auth credentials', 'answered', true],
    ['Get "http://localhost:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused', 'refused', false],
    ['Get "http://localhost:5000/v2/": dial tcp [::1]:5000: connect: cannot assign requested address; connection refused', 'refused', false],
    ['Get "https://laptop.local:5000/v2/": dial tcp: lookup laptop.local on 192.168.65.7:53: no such host', 'no-such-host', false],
    ['Get "https://10.0.0.2:5000/v2/": http: server gave HTTP response to HTTPS client', 'insecure', false],
    ['Get "https://10.0.0.2:5000/v2/": x509: certificate signed by unknown authority', 'insecure', false],
    ['Get "https://10.0.0.2:5000/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)', 'timeout', false],
    ['no answer within 8000 ms (timed out)', 'timeout', false],
    ['Get "http://10.9.9.9:5000/v2/": dial tcp 10.9.9.9:5000: connect: no route to host', 'unreachable', false],
    ['Get "http://localhost:5000/v2/": EOF', 'other', false]
  ])('%s', (message, outcome, reached) => {
    expect(classifyProbeAnswer(message)).toEqual({ outcome, reached })
  })
})
