import type { ApiInput, ApiOutput, EventName, EventPayload, MethodName } from '@shared/contract'
import type { BerthErrorCode } from '@shared/errors'
import type { ManifestDetail, RepositorySummary, TagSummary } from '@shared/model/catalog'
import type { EngineStatus, LocalImage, Transfer } from '@shared/model/docker'
import type { RegistryStatus } from '@shared/model/registry'
import type { GcReport, RegistryVolume, RepositoryUsage, RetentionCandidate, StorageUsage, VerifyReport } from '@shared/model/storage'
import { setTransport, type Transport } from '../lib/client'
import { useActivity } from '../store/activity'
import { useCatalog } from '../store/catalog'
import { useDoctor } from '../store/doctor'
import { useImages } from '../store/images'
import { useNotices } from '../store/notices'
import { usePolicies } from '../store/policies'
import { useRegistry } from '../store/registry'
import { resetRemoteCatalogs, useRemotes } from '../store/remotes'
import { useSharing } from '../store/sharing'
import { useSettings } from '../store/settings'
import { useStorage } from '../store/storage'
import { useTransfers } from '../store/transfers'
import { useView } from '../store/view'

// A stand-in for Berth's service in component tests: answers contract calls from handlers, records
// them, and emits events, through the same Transport interface the real client uses.

type Handlers = { [M in MethodName]?: (input: ApiInput<M>) => ApiOutput<M> | Promise<ApiOutput<M>> }

class FakeFailure extends Error {
  constructor(
    readonly code: BerthErrorCode,
    message: string,
    readonly detail?: unknown
  ) {
    super(message)
  }
}

/** Makes a fake handler answer with an error envelope. */
export function fail(code: BerthErrorCode, message: string, detail?: unknown): never {
  throw new FakeFailure(code, message, detail)
}

export function fakeBerth(handlers: Handlers = {}) {
  // The Storage view always lists policies: none unless a test says otherwise.
  handlers['policy.list'] ??= () => []
  const calls: { method: MethodName; input: unknown }[] = []
  /** Files whose path was asked for (a dropped .tar): uploaded over HTTP, read in place in Electron. */
  const files: File[] = []
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const transport: Transport = {
    async invoke(method, input) {
      calls.push({ method, input })
      const handler = handlers[method] as ((input: unknown) => unknown) | undefined
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `The fake has no ${method}.` } }
      try {
        return { ok: true, result: await handler(input) }
      } catch (err) {
        if (err instanceof FakeFailure) return { ok: false, error: { code: err.code, message: err.message, ...(err.detail === undefined ? {} : { detail: err.detail }) } }
        throw err
      }
    },
    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      return () => set.delete(listener)
    },
    onConnection(listener) {
      listener('open')
      return () => {}
    },
    async pathForFile(file) {
      files.push(file)
      return `/home/dev/.config/Berth/registry/uploads/${file.name}`
    }
  }
  setTransport(transport)
  return {
    calls,
    files,
    handlers,
    /** The inputs a method was called with, in order. */
    inputs<M extends MethodName>(method: M): ApiInput<M>[] {
      return calls.filter((c) => c.method === method).map((c) => c.input as ApiInput<M>)
    },
    emit<E extends EventName>(event: E, payload: EventPayload<E>) {
      for (const l of listeners.get(event) ?? []) l(payload)
    }
  }
}

const stores = [useCatalog, useImages, useRegistry, useSettings, useTransfers, useNotices, useStorage, useView, useSharing, useActivity, useDoctor, useRemotes, usePolicies] as const
const initial = stores.map((s) => s.getState())

export function resetStores(): void {
  stores.forEach((s, i) => (s as { setState(v: unknown, replace: true): void }).setState(initial[i], true))
  resetRemoteCatalogs()
  setTransport(null)
}

// Fixtures: plausible values, overridable field by field.

const HEX = (c: string) => c.repeat(64).slice(0, 64)
export const digest = (c: string) => `sha256:${HEX(c)}`
const NOW = new Date().toISOString()

export function registryStatus(o: Partial<RegistryStatus> = {}): RegistryStatus {
  const running = (o.state ?? 'running') === 'running'
  return {
    state: 'running',
    host: '127.0.0.1',
    port: 5000,
    url: running ? 'http://127.0.0.1:5000' : null,
    pullHost: 'localhost:5000',
    dataDir: '/home/dev/.config/Berth/registry',
    startedAt: running ? NOW : null,
    uptimeMs: running ? 1000 : null,
    error: null,
    ...o
  }
}

export function engineStatus(o: Partial<EngineStatus> = {}): EngineStatus {
  return {
    reachable: true,
    endpoint: { source: 'default', address: 'unix:///var/run/docker.sock', context: null },
    tried: [{ address: 'unix:///var/run/docker.sock', source: 'default', problem: null }],
    engineVersion: '27.3.1',
    apiVersion: '1.47',
    os: 'linux/amd64',
    flavour: 'engine',
    problem: null,
    checkedAt: NOW,
    ...o
  }
}

export const unreachableEngine = () =>
  engineStatus({
    reachable: false,
    endpoint: null,
    engineVersion: null,
    apiVersion: null,
    os: null,
    flavour: null,
    tried: [
      { address: 'unix:///var/run/docker.sock', source: 'default', problem: 'no such socket' },
      { address: 'unix:///home/dev/.docker/desktop/docker.sock', source: 'docker-desktop', problem: 'no such socket' }
    ],
    problem:
      'Cannot reach a Docker engine. Tried: unix:///var/run/docker.sock (no such socket). Start it with `sudo systemctl start docker` (or start Docker Desktop), or point DOCKER_HOST at it. The registry keeps working without it.'
  })

export function localImage(tags: string[], o: Partial<LocalImage> = {}): LocalImage {
  return { id: digest('a'), tags, digests: [], size: 5_000_000, created: NOW, dangling: tags.length === 0, ...o }
}

export function repo(name: string, o: Partial<RepositorySummary> = {}): RepositorySummary {
  return { name, tagCount: 1, totalSize: 2_000_000, uniqueSize: 1_000_000, lastPush: NOW, ...o }
}

export function tag(name: string, o: Partial<TagSummary> = {}): TagSummary {
  return {
    tag: name,
    digest: digest('b'),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    kind: 'image',
    size: 2_000_000,
    created: NOW,
    pushedAt: NOW,
    platforms: [],
    attestations: 0,
    ...o
  }
}

export function manifest(o: Partial<ManifestDetail> = {}): ManifestDetail {
  return {
    repository: 'team/app',
    digest: digest('c'),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    kind: 'image',
    size: 600,
    artifactType: null,
    subject: null,
    annotations: {},
    tags: ['1.0'],
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('d'), size: 3_000_000 },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('e'), size: 1_000_000 }
    ],
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('f'), size: 1200 },
    image: {
      os: 'linux',
      architecture: 'amd64',
      variant: null,
      created: NOW,
      env: ['PATH=/usr/bin', 'MODE=prod'],
      cmd: ['/app/server'],
      entrypoint: null,
      workingDir: '/app',
      user: null,
      exposedPorts: ['8080/tcp'],
      labels: { 'org.opencontainers.image.source': 'https://example.com/app' },
      history: [{ created: NOW, createdBy: 'COPY server /app/server', emptyLayer: false, comment: null }]
    },
    children: [],
    raw: '{"schemaVersion":2}',
    ...o
  }
}

export function transfer(o: Partial<Transfer> = {}): Transfer {
  return {
    id: 't1',
    kind: 'push',
    source: 'app:1.0',
    target: 'localhost:5000/team/app:1.0',
    state: 'running',
    path: 'engine',
    encoding: 'gzip',
    layers: [
      { id: 'aaaaaaaaaaaa', phase: 'uploading', current: 500, total: 1000, size: null },
      { id: 'bbbbbbbbbbbb', phase: 'exists', current: 0, total: null, size: null }
    ],
    overall: { current: 500, total: 1000, percent: 50, layersDone: 1, layers: 2 },
    digest: null,
    imageBytes: null,
    error: null,
    startedAt: NOW,
    endedAt: null,
    ...o
  }
}

// Storage: a data folder with three repositories (two sharing a base layer), a collection's worth of
// unreferenced blobs, and a volume that is comfortable unless asked otherwise.

export const MB = 1_000_000

export function repoUsage(name: string, o: Partial<RepositoryUsage> = {}): RepositoryUsage {
  const totalBytes = o.totalBytes ?? 40 * MB
  const uniqueBytes = o.uniqueBytes ?? 10 * MB
  return { name, tagCount: 3, manifestCount: 3, untaggedCount: 0, totalBytes, uniqueBytes, sharedBytes: totalBytes - uniqueBytes, lastPush: NOW, ...o }
}

export function storageUsage(o: Partial<StorageUsage> = {}): StorageUsage {
  return {
    dataDir: '/home/dev/.config/Berth/registry',
    totalBytes: 182_400_000,
    blobs: { count: 42, bytes: 181_900_000 },
    manifests: { count: 9, untagged: 1 },
    unreferenced: { count: 4, bytes: 12_300_000 },
    keptForNow: { count: 0, bytes: 0 },
    uploads: { count: 1, bytes: 5_200_000, abandoned: 1 },
    volume: { freeBytes: 212_000_000_000, totalBytes: 512_000_000_000 },
    lowSpace: false,
    repositories: [
      repoUsage('team/api', { tagCount: 12, totalBytes: 96 * MB, uniqueBytes: 71 * MB, untaggedCount: 1 }),
      repoUsage('team/web', { tagCount: 4, totalBytes: 58 * MB, uniqueBytes: 33 * MB }),
      repoUsage('tools/ci', { tagCount: 1, totalBytes: 8 * MB, uniqueBytes: 8 * MB, sharedBytes: 0 })
    ],
    computedAt: NOW,
    ...o
  }
}

export function gcReport(o: Partial<GcReport> = {}): GcReport {
  return {
    dryRun: true,
    marked: 38,
    blobs: [
      { digest: digest('1'), bytes: 9_000_000, repositories: ['team/api'] },
      { digest: digest('2'), bytes: 3_000_000, repositories: ['team/api'] },
      { digest: digest('3'), bytes: 299_000 },
      { digest: digest('4'), bytes: 1_000 }
    ],
    manifests: [{ digest: digest('5'), bytes: 1_000, repositories: ['team/api'] }],
    freedBytes: 12_300_000,
    protected: 0,
    kept: [],
    durationMs: 420,
    ...o
  }
}

export function retentionCandidates(n = 3): RetentionCandidate[] {
  return Array.from({ length: n }, (_, i) => ({ repository: 'team/api', tag: `pr-${100 + i}`, digest: digest(String(i % 10)), pushedAt: '2026-09-0' + ((i % 9) + 1) + 'T10:00:00Z' }))
}

export function registryVolume(o: Partial<RegistryVolume> = {}): RegistryVolume {
  return {
    name: 'registry-data',
    kind: 'volume',
    mountpoint: '/var/lib/docker/volumes/registry-data/_data',
    containers: [{ id: 'c0ffee', name: 'registry', image: 'registry:2', state: 'running' }],
    repositories: 5,
    ...o
  }
}

export function verifyReport(o: Partial<VerifyReport> = {}): VerifyReport {
  return { checked: 42, bytes: 181_900_000, problems: [], durationMs: 2100, ...o }
}
