import pino, { type Logger } from 'pino'
import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import type { Settings } from '@shared/model/registry'
import { DockerEngine } from '../docker/engine'
import type { PullThrough } from '../registry/pull-through'
import type { Storage } from '../storage'
import type { DiscoveryEnv } from '../docker/discovery'
import { listImages, removeImage, tagImage } from '../docker/images'
import { adviseDockerError } from '../docker/progress'
import { runCommand, runContainer } from '../docker/run'
import { pull, push } from '../docker/transfer'
import { CatalogService } from './catalog'
import { EventBus } from './events'
import { RegistryHost } from './registry-host'
import { SettingsStore } from './settings-store'
import { createStorageApi, ensureStagingDir } from './storage'
import { TransferManager } from './transfers'
import { createRemoteApi } from './remote'
import { parseMirrorSpec } from '../remote/mirror-spec'
import { SavedRegistries } from '../remote/saved-registries'
import { MemorySecretStore, type SecretStore } from '../remote/secret-store'

export interface ServiceOptions {
  /** Where settings are saved (null: in memory only, e.g. for `serve` and tests). */
  settingsFile: string | null
  defaults: Settings
  log?: Logger
  /** Overrides where the Docker engine is looked for (tests). */
  discovery?: DiscoveryEnv
  /** Called when "start at login" changes (the shell wires Electron's login item). */
  onStartAtLogin?: (enabled: boolean) => void
  /** Passed to the registry server (e.g. how long abandoned uploads are kept). */
  registry?: { uploadMaxAgeMs?: number }
  /** Where saved registries are listed (null: in memory). Their passwords never go there. */
  registriesFile?: string | null
  /** Where passwords typed into the window are kept (default: memory, for this session only). */
  secretStore?: SecretStore
}

export interface Service {
  api: Api
  bus: EventBus
  registry: RegistryHost
  engine: DockerEngine
  transfers: TransferManager
  /** A folder on the data disk where files sent by the window (imports) are staged. */
  stagingDir(): Promise<string>
  /** Loads settings, starts watching the engine, and starts the registry when the settings say so. */
  init(options?: { startRegistry?: boolean }): Promise<void>
  dispose(): Promise<void>
}

/** The one object behind the contract: shell/ipc and the HTTP transport both call `api`. */
export function createService(options: ServiceOptions): Service {
  const log = options.log ?? pino({ level: 'silent' })
  const bus = new EventBus()
  const settings = new SettingsStore(options.settingsFile, options.defaults)
  let catalogService: CatalogService | null = null

  // The remote API needs the registry host, and the host asks it for the pull-through source at each start.
  const late: { pullThroughFor?: (storage: Storage) => PullThrough | undefined } = {}
  const registry = new RegistryHost(settings, bus, log, (change) => {
    catalogService?.usage.invalidate(change.repository)
    bus.emit('catalog.changed', { repository: change.repository, action: change.action, reference: change.reference })
  }, options.registry, (storage) => late.pullThroughFor?.(storage))
  const engine = new DockerEngine(options.discovery, (status) => bus.emit('docker.status', status))
  const transfers = new TransferManager(bus)
  const remote = createRemoteApi({
    bus,
    registry,
    settings,
    transfers,
    saved: new SavedRegistries(options.registriesFile ?? null, options.secretStore ?? new MemorySecretStore()),
    log
  })
  late.pullThroughFor = remote.pullThroughFor

  async function catalog(): Promise<CatalogService> {
    const storage = await registry.storage()
    if (!catalogService || catalogService.storage !== storage) catalogService = new CatalogService(storage)
    return catalogService
  }

  function requireRunning(what: string): string {
    const status = registry.status()
    if (status.state !== 'running') throw new BerthError('REGISTRY_STOPPED', `The registry is not running, so ${what}. Start it first (Start registry).`)
    return status.pullHost
  }

  /** Docker calls that fail because the engine left get the engine re-checked (and the UI told). */
  async function withEngine<T>(fn: (docker: Awaited<ReturnType<DockerEngine['client']>>) => Promise<T>): Promise<T> {
    const docker = await engine.client()
    try {
      return await fn(docker)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EPIPE' || code === 'ECONNRESET') {
        await engine.lost()
        throw new BerthError('DOCKER_UNREACHABLE', engine.status.problem ?? 'The Docker engine went away.')
      }
      throw err
    }
  }

  const storageApi = createStorageApi({
    bus,
    registry,
    settings,
    engine,
    catalog,
    uploadMaxAgeMs: options.registry?.uploadMaxAgeMs ?? 24 * 3_600_000,
    changed: (repository, action, reference) => {
      catalogService?.usage.invalidate(repository || undefined)
      bus.emit('catalog.changed', { repository, action, ...(reference ? { reference } : {}) })
    }
  })

  const api: Api = {
    ...storageApi,
    ...remote.api,
    'registry.status': async () => registry.status(),
    'registry.start': () => registry.start(),
    'registry.stop': () => registry.stop(),
    'registry.restart': () => registry.restart(),
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => {
      const before = settings.get()
      // A mirror that cannot be parsed is refused here, not when the registry next starts.
      for (const m of patch.mirrors ?? []) parseMirrorSpec(m)
      const next = await settings.update(patch)
      if (patch.startAtLogin !== undefined && patch.startAtLogin !== before.startAtLogin) options.onStartAtLogin?.(next.startAtLogin)
      const mirrorsChanged =
        JSON.stringify(next.mirrors ?? []) !== JSON.stringify(before.mirrors ?? []) || next.mirrorBudgetBytes !== before.mirrorBudgetBytes || next.mirrorTtlMs !== before.mirrorTtlMs
      const moved = next.port !== before.port || next.host !== before.host || next.dataDir !== before.dataDir || mirrorsChanged
      if (moved) {
        if (registry.running) await registry.restart()
        else bus.emit('registry.status', registry.status())
        if (next.dataDir !== before.dataDir) bus.emit('catalog.changed', { repository: '', action: 'push' })
      }
      return next
    },

    'catalog.repositories': async (input) => (await catalog()).repositories(input?.filter, input?.offset, input?.limit),
    'catalog.tags': async ({ repository }) => (await catalog()).tags(repository),
    'catalog.manifest': async ({ repository, reference }) => (await catalog()).manifest(repository, reference),
    'catalog.deleteTag': async ({ repository, tag }) => {
      await (await catalog()).deleteTag(repository, tag)
      bus.emit('catalog.changed', { repository, action: 'delete', reference: tag })
      return { ok: true as const }
    },
    'catalog.deleteManifest': async ({ repository, digest }) => {
      const tags = await (await catalog()).deleteManifest(repository, digest)
      bus.emit('catalog.changed', { repository, action: 'delete', reference: digest })
      return { ok: true as const, tags }
    },
    'catalog.retag': async ({ repository, reference, targetRepository, targetTag }) => {
      const digest = await (await catalog()).retag(repository, reference, targetRepository, targetTag)
      bus.emit('catalog.changed', { repository: targetRepository, action: 'retag', reference: targetTag })
      return { digest: digest.value, reference: `${registry.status().pullHost}/${targetRepository}:${targetTag}` }
    },
    'catalog.pullCommand': async ({ repository, reference }) => {
      const sep = reference.includes(':') && reference.startsWith('sha') ? '@' : ':'
      const ref = `${registry.status().pullHost}/${repository}${sep}${reference}`
      return { command: `docker pull ${ref}`, reference: ref }
    },

    'docker.status': () => engine.check(),
    'docker.images': (input) => withEngine((docker) => listImages(docker, input?.includeDangling ?? false)),
    'docker.tag': async ({ image, repository, tag }) => {
      const host = registry.status().pullHost
      await withEngine((docker) => tagImage(docker, image, `${host}/${repository}`, tag))
      return { reference: `${host}/${repository}:${tag}` }
    },
    'docker.push': async ({ image, repository, tag }) => {
      const host = requireRunning('Docker has nowhere to push')
      const reference = `${host}/${repository}:${tag}`
      await withEngine((docker) => tagImage(docker, image, `${host}/${repository}`, tag))
      const docker = await engine.client()
      const t = transfers.start('push', image, reference, (signal, onUpdate) => push(docker, reference, signal, onUpdate), (m) => adviseDockerError(m, host))
      return { transferId: t.id, reference }
    },
    'docker.pull': async ({ repository, reference }) => {
      const host = requireRunning('Docker has nothing to pull from')
      const sep = reference.startsWith('sha256:') || reference.startsWith('sha512:') ? '@' : ':'
      const ref = `${host}/${repository}${sep}${reference}`
      const docker = await engine.client()
      const t = transfers.start('pull', ref, ref, (signal, onUpdate) => pull(docker, ref, signal, onUpdate), (m) => adviseDockerError(m, host))
      return { transferId: t.id, reference: ref }
    },
    'docker.removeImage': ({ image, force }) => withEngine((docker) => removeImage(docker, image, force).then((removed) => ({ removed }))),
    'docker.run': async ({ repository, reference, ports, name, network }) => {
      const host = requireRunning('Docker cannot fetch the image')
      const sep = reference.startsWith('sha256:') || reference.startsWith('sha512:') ? '@' : ':'
      const image = `${host}/${repository}${sep}${reference}`
      const run = { image, ports, name, network }
      return withEngine(async (docker) => {
        const present = await docker.getImage(image).inspect().then(() => true, () => false)
        if (!present) {
          // The engine refuses some pulls before streaming (a repository or tag the registry lacks is an HTTP 404).
          const state = await pull(docker, image, new AbortController().signal, () => {}).catch((err: Error & { statusCode?: number; json?: { message?: string } }) => {
            if (err.statusCode === undefined) throw err
            throw new BerthError('TRANSFER_FAILED', adviseDockerError(err.json?.message ?? err.message, host), { image })
          })
          if (state.error) throw new BerthError('TRANSFER_FAILED', adviseDockerError(state.error, host))
        }
        const { id, name: actual } = await runContainer(docker, run)
        return { containerId: id, name: actual, command: runCommand(run) }
      })
    },
    'transfers.list': async () => transfers.list(),
    'transfers.cancel': async ({ id }) => {
      if (!transfers.cancel(id)) throw new BerthError('NOT_FOUND', `No running transfer ${id}; it may have finished already.`)
      return { ok: true as const }
    }
  }

  return {
    api,
    bus,
    registry,
    engine,
    transfers,
    stagingDir: async () => ensureStagingDir((await registry.storage()).layout.root),
    async init({ startRegistry } = {}) {
      const loaded = await settings.load()
      engine.watch()
      if (startRegistry ?? loaded.startOnLaunch) await registry.start().catch((err) => log.warn({ err: err.message }, 'registry did not start'))
    },
    async dispose() {
      engine.unwatch()
      transfers.cancelAll()
      await registry.stop()
    }
  }
}
