import type { Logger } from 'pino'
import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import type { LayerProgress } from '@shared/model/docker'
import type { RemoteTest } from '@shared/model/remote'
import type { ProgressState } from '../docker/progress'
import type { PullThrough } from '../registry/pull-through'
import type { Storage } from '../storage'
import { remoteManifest, remoteRepositories, remoteTags } from '../remote/browse'
import { RegistryClient } from '../remote/client'
import { copyImage, type CopyProgress } from '../remote/copy'
import { dockerConfigCredentials, firstOf, fixedCredential } from '../remote/credentials'
import { RemoteEndpoint } from '../remote/endpoint'
import { LocalEndpoint } from '../remote/local-endpoint'
import { Mirror } from '../remote/mirror'
import { mirrorAdvice, parseMirrorSpec } from '../remote/mirror-spec'
import { nativePlatform, parsePlatform } from '../remote/platform'
import type { SavedRegistries } from '../remote/saved-registries'
import type { EventBus } from './events'
import type { RegistryHost } from './registry-host'
import type { SettingsStore } from './settings-store'
import type { TransferManager } from './transfers'

type RemoteMethods = { [M in keyof Api as M extends `remote.${string}` ? M : never]: Api[M] }

export interface RemoteDeps {
  bus: EventBus
  registry: RegistryHost
  settings: SettingsStore
  transfers: TransferManager
  saved: SavedRegistries
  log: Logger
}

/**
 * Other registries in the contract: saved ones, browsing them in the local catalog's shapes,
 * copies both ways as transfers, and the pull-through cache the registry is handed.
 */
export function createRemoteApi(deps: RemoteDeps): { api: RemoteMethods; pullThroughFor: (storage: Storage) => PullThrough | undefined } {
  const { saved, log } = deps
  const clients = new Map<string, RegistryClient>()
  let mirror: Mirror | null = null
  const credentials = firstOf(saved.lookup(), dockerConfigCredentials())

  async function clientFor(key: string): Promise<RegistryClient> {
    const entry = await saved.find(key)
    const address = entry?.address ?? key
    const tlsVerify = entry?.tlsVerify ?? true
    const cacheKey = `${address}\u0000${tlsVerify}`
    let c = clients.get(cacheKey)
    if (!c) {
      c = new RegistryClient({ registry: address, tlsVerify, credentials, log })
      clients.set(cacheKey, c)
    }
    return c
  }

  function forget(address: string): void {
    for (const k of [...clients.keys()]) if (k.startsWith(`${address}\u0000`)) clients.delete(k)
  }

  async function test(client: RegistryClient): Promise<RemoteTest> {
    try {
      const { scheme, auth } = await client.ping()
      const catalog = (await client.catalog(1).catch(() => null)) !== null
      return { address: client.registry, reachable: true, scheme: scheme === 'http' ? 'http' : 'https', auth, catalog, problem: null }
    } catch (err) {
      const e = err instanceof BerthError ? err : new BerthError('REMOTE_FAILED', (err as Error).message)
      return { address: client.registry, reachable: false, scheme: null, auth: null, catalog: null, problem: { code: e.code, message: e.message } }
    }
  }

  function progressState(direction: 'push' | 'pull') {
    const state: ProgressState = { layers: new Map<string, LayerProgress>(), digest: null, imageBytes: null, error: null }
    const onProgress = (p: CopyProgress) => {
      const id = p.digest.slice(p.digest.indexOf(':') + 1, p.digest.indexOf(':') + 13)
      const phase = p.phase === 'copying' ? (direction === 'push' ? 'uploading' : 'downloading') : p.phase === 'copied' ? 'done' : p.phase
      // A copy moves blobs as stored: their sizes are the registry's own.
      state.layers.set(id, { id, phase, current: p.current, total: p.total || null, size: p.total || null })
    }
    return { state, onProgress }
  }

  const api: RemoteMethods = {
    'remote.list': async () => saved.all(),
    'remote.add': async (input) => {
      const entry = await saved.add({ address: input.address, tlsVerify: input.tlsVerify ?? true, username: input.username, password: input.password })
      forget(entry.address)
      return entry
    },
    'remote.remove': async ({ registry }) => {
      const entry = await saved.find(registry)
      if (!entry || !(await saved.remove(registry))) throw new BerthError('NOT_FOUND', `No saved registry ${registry}; it may have been removed already.`)
      forget(entry.address)
      return { ok: true as const }
    },
    'remote.test': async (input) => {
      if ('registry' in input && input.registry) return test(await clientFor(input.registry))
      const i = input as { address: string; tlsVerify?: boolean; username?: string; password?: string }
      const lookup = i.username && i.password ? fixedCredential(i.address, { username: i.username, password: i.password }) : credentials
      return test(new RegistryClient({ registry: i.address, tlsVerify: i.tlsVerify ?? true, credentials: lookup, log }))
    },
    'remote.catalog': async ({ registry, filter, last, limit }) => remoteRepositories(await clientFor(registry), filter, last, limit),
    'remote.tags': async ({ registry, repository }) => remoteTags(await clientFor(registry), repository),
    'remote.manifest': async ({ registry, repository, reference }) => remoteManifest(await clientFor(registry), repository, reference),
    'remote.copy': async ({ registry, direction, images, platform, all }) => {
      const client = await clientFor(registry)
      const storage = await deps.registry.storage()
      const remote = new RemoteEndpoint(client)
      const local = new LocalEndpoint(storage)
      const platforms = all ? 'all' : platform ? parsePlatform(platform) : nativePlatform()
      const label = images.map((i) => `${i.repository}:${i.reference}`).join(', ')
      const [from, to] = direction === 'push' ? [`this Berth: ${label}`, client.registry] : [`${client.registry}: ${label}`, 'this Berth']
      const t = deps.transfers.start(direction, from, to, async (signal, onUpdate) => {
        const { state, onProgress } = progressState(direction)
        for (const image of images) {
          const result = await copyImage({
            source: direction === 'push' ? local : remote,
            sourceRepo: image.repository,
            reference: image.reference,
            target: direction === 'push' ? remote : local,
            targetRepo: image.targetRepository ?? image.repository,
            targetTag: image.targetTag ?? (image.reference.includes(':') ? null : image.reference),
            platforms,
            signal,
            onProgress: (p) => {
              onProgress(p)
              onUpdate(state)
            }
          })
          state.digest = result.digest
        }
        return state
      }, (message) => message, { path: 'copy', encoding: null })
      return { transferId: t.id }
    },
    'remote.mirrorStatus': async () => {
      const s = deps.settings.get()
      const specs = mirror?.specs ?? (s.mirrors ?? []).map(parseMirrorSpec)
      return {
        mirrors: specs.map((m) => ({ url: m.url, registry: m.registry, prefix: m.prefix })),
        stats: mirror ? { ...mirror.stats } : { hits: 0, misses: 0, blobsFetched: 0, bytesFetched: 0, upstreamErrors: 0, evictedTags: 0 },
        cachedTags: mirror ? (await mirror.ledger.all()).length : 0,
        budgetBytes: s.mirrorBudgetBytes ?? null,
        advice: mirrorAdvice(specs, deps.registry.status().pullHost)
      }
    }
  }

  function pullThroughFor(storage: Storage): PullThrough | undefined {
    const s = deps.settings.get()
    const specs = (s.mirrors ?? []).map(parseMirrorSpec)
    mirror = specs.length
      ? new Mirror({
          storage,
          specs,
          ttlMs: s.mirrorTtlMs,
          budgetBytes: s.mirrorBudgetBytes ?? null,
          credentials,
          log
        })
      : null
    return mirror ?? undefined
  }

  return { api, pullThroughFor }
}
