import type { Settings } from '@shared/model/registry'
import type { MirrorStatus, RemoteTest, SavedRegistry } from '@shared/model/remote'
import type { Account, ActivityEntry, DoctorReport, SharingInfo, SharingStatus } from '@shared/model/sharing'

// Fixtures for the sharing, activity, doctor and remote views: plausible answers, overridable field by field.

const NOW = new Date().toISOString()

export function settings(o: Partial<Settings> = {}): Settings {
  return { port: 5000, host: '127.0.0.1', dataDir: '/data', startOnLaunch: true, startAtLogin: false, transferPath: 'auto', layerEncoding: 'auto', manifestFormat: 'docker', ...o }
}

export function sharingStatus(o: Partial<SharingStatus> = {}): SharingStatus {
  return {
    shared: true,
    scheme: 'https',
    authRequired: true,
    anonymousPull: false,
    accounts: 1,
    certificate: { source: 'berth-ca', names: ['192.168.1.20', 'laptop.local', 'localhost'], notAfter: '2027-12-01T10:00:00Z', fingerprint: 'AB:CD:EF' },
    warnings: [],
    ...o
  }
}

export const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n'

export function sharingInfo(o: Partial<SharingInfo> = {}): SharingInfo {
  return {
    address: '192.168.1.20:5000',
    addresses: ['192.168.1.20:5000', 'laptop.local:5000'],
    shared: true,
    scheme: 'https',
    authRequired: true,
    anonymousPull: false,
    caPem: CA_PEM,
    steps: [
      { id: 'docker-ca', title: 'Docker: trust the CA for this registry only', note: 'dockerd reads certs.d at every connection: no restart.', commands: ['sudo mkdir -p /etc/docker/certs.d/192.168.1.20:5000', 'sudo cp berth-ca.crt /etc/docker/certs.d/192.168.1.20:5000/ca.crt'] },
      { id: 'login', title: 'Log in and pull', commands: ['docker login 192.168.1.20:5000', 'docker pull 192.168.1.20:5000/team/app:1.0'] },
      { id: 'kubernetes', title: 'Kubernetes: an imagePullSecret', commands: ['kubectl create secret docker-registry berth --docker-server=192.168.1.20:5000 --docker-username=<account> --docker-password=<password>'] }
    ],
    warnings: [],
    ...o
  }
}

export const account = (name: string, o: Partial<Account> = {}): Account => ({ name, role: 'push', roleAssigned: true, usable: true, ...o })

export function activityEntry(o: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    time: NOW,
    account: 'alice',
    client: '192.168.1.31',
    method: 'PUT',
    route: 'manifest',
    repository: 'team/app',
    reference: '1.0',
    status: 201,
    bytesIn: 1_200,
    bytesOut: 0,
    durationMs: 12,
    ...o
  }
}

export function doctorReport(o: Partial<DoctorReport> = {}): DoctorReport {
  return {
    registry: '192.168.1.20:5000',
    ok: false,
    transport: 'http',
    insecure: false,
    certsDir: '/etc/docker/certs.d/192.168.1.20:5000',
    caInstalled: false,
    engine: { kind: 'native', evidence: ['OperatingSystem: Debian'], sharesLocalhost: true },
    dockerError: 'http: server gave HTTP response to HTTPS client',
    reasons: ['192.168.1.20:5000 answers plain HTTP, but this engine speaks HTTPS to every registry outside its insecure-registries.'],
    fixes: [
      {
        id: 'insecure-registries',
        title: 'Allow plain HTTP to 192.168.1.20:5000 in /etc/docker/daemon.json',
        note: 'dockerd reads it at start. Restarting the engine stops every running container.',
        commands: ["sudo tee /etc/docker/daemon.json <<'EOF'\n{\n  \"insecure-registries\": [\"192.168.1.20:5000\"]\n}\nEOF", 'sudo systemctl restart docker'],
        file: { path: '/etc/docker/daemon.json', content: '{\n  "log-driver": "journald",\n  "insecure-registries": ["192.168.1.20:5000"]\n}' }
      }
    ],
    ...o
  }
}

export function vmReport(): DoctorReport {
  return doctorReport({
    registry: 'localhost:5000',
    engine: { kind: 'docker-desktop', evidence: ['the engine\'s operating system is "Docker Desktop"'], sharesLocalhost: false },
    dockerError: 'dial tcp localhost:5000: connect: connection refused',
    reasons: ['This engine runs in Docker Desktop.'],
    fixes: [
      {
        id: 'vm-insecure-registries',
        title: 'Push to host.docker.internal:5000, allowed as plain HTTP in Docker Desktop',
        note: 'host.docker.internal is how Docker Desktop reaches this machine.',
        commands: ['docker tag app:1.0 host.docker.internal:5000/app:1.0', 'docker push host.docker.internal:5000/app:1.0'],
        file: { path: '/Users/me/.docker/daemon.json', content: '{\n  "insecure-registries": ["host.docker.internal:5000"]\n}' }
      }
    ]
  })
}

export function savedRegistry(o: Partial<SavedRegistry> = {}): SavedRegistry {
  return { id: 'r1', address: 'registry.team.example:5000', tlsVerify: true, username: 'carol', credentials: 'saved', secretPersistence: 'keychain', addedAt: NOW, ...o }
}

export function remoteTest(o: Partial<RemoteTest> = {}): RemoteTest {
  return { address: 'registry.team.example:5000', reachable: true, scheme: 'https', auth: 'basic', catalog: true, problem: null, ...o }
}

export function mirrorStatus(o: Partial<MirrorStatus> = {}): MirrorStatus {
  return {
    mirrors: [{ url: 'https://registry-1.docker.io', registry: 'docker.io', prefix: null }],
    stats: { hits: 12, misses: 3, blobsFetched: 9, bytesFetched: 48_000_000, upstreamErrors: 0, evictedTags: 0 },
    cachedTags: 4,
    budgetBytes: 10_000_000_000,
    advice: ['Docker Hub only: add `"registry-mirrors": ["http://localhost:5000"]` to daemon.json.'],
    ...o
  }
}
