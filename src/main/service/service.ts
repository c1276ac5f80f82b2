import pino, { type Logger } from 'pino'
import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import type { SettingsInput } from '@shared/model/registry'
import { DockerEngine } from '../docker/engine'
import type { DiscoveryEnv } from '../docker/discovery'
import { listImages, removeImage, tagImage } from '../docker/images'
import { adviseDockerError } from '../docker/progress'
import { runCommand, runContainer } from '../docker/run'
import { TransferRoutes, type RouteContext } from '../docker/transfer-route'
import type Dockerode from 'dockerode'
import { CatalogService } from './catalog'
import { EventBus } from './events'
import { RegistryHost } from './registry-host'
import { SettingsStore } from './settings-store'
import { createStorageApi, ensureStagingDir } from './storage'
import { TransferManager } from './transfers'

export interface ServiceOptions {
  /** Where settings are saved (null: in memory only, e.g. for `serve` and tests). */
  settingsFile: string | null
  defaults: SettingsInput
  log?: Logger
  /** Overrides where the Docker engine is looked for (tests). */
  discovery?: DiscoveryEnv
  /** Called when "start at login" changes (the shell wires Electron's login item). */
  onStartAtLogin?: (enabled: boolean) => void
  /** Passed to the registry server (e.g. how long abandoned uploads are kept). */
  registry?: { uploadMaxAgeMs?: number }
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

  const registry = new RegistryHost(settings, bus, log, (change) => {
    catalogService?.usage.invalidate(change.repository)
    bus.emit('catalog.changed', { repository: change.repository, action: change.action, reference: change.reference })
  }, options.registry)
  const engine = new DockerEngine(options.discovery, (status) => bus.emit('docker.status', status))
  const transfers = new TransferManager(bus)

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

  const changed = (repository: string, action: 'delete' | 'push', reference?: string) => {
    catalogService?.usage.invalidate(repository || undefined)
    bus.emit('catalog.changed', { repository, action, ...(reference ? { reference } : {}) })
  }
  const storageApi = createStorageApi({
    bus,
    registry,
    settings,
    engine,
    catalog,
    uploadMaxAgeMs: options.registry?.uploadMaxAgeMs ?? 24 * 3_600_000,
    changed
  })

  /** The engine's push/pull, or export/load through its API when it cannot reach the registry (docker/transfer-route.ts). */
  const routes = new TransferRoutes()
  const routeContext = (docker: Dockerode, registryHost: string): RouteContext => ({
    docker,
    endpoint: engine.status.endpoint?.address ?? '',
    settings: settings.get(),
    registryHost,
    storage: () => registry.storage()
  })

  const api: Api = {
    ...storageApi,
    'registry.status': async () => registry.status(),
    'registry.start': () => registry.start(),
    'registry.stop': () => registry.stop(),
    'registry.restart': () => registry.restart(),
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => {
      const before = settings.get()
      const next = await settings.update(patch)
      if (patch.startAtLogin !== undefined && patch.startAtLogin !== before.startAtLogin) options.onStartAtLogin?.(next.startAtLogin)
      const moved = next.port !== before.port || next.host !== before.host || next.dataDir !== before.dataDir
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
      const routed = await routes.push(routeContext(await engine.client(), host), { image, repository, tag })
      log.info({ reference, path: routed.route.path, why: routed.why }, 'push')
      // A push by export writes storage directly: no registry request announces it.
      const run: typeof routed.run = routed.route.path === 'engine' ? routed.run : (signal, onUpdate) => routed.run(signal, onUpdate).then((s) => (changed(repository, 'push', tag), s))
      const t = transfers.start('push', image, reference, run, (m) => adviseDockerError(m, host), routed.route)
      return { transferId: t.id, reference }
    },
    'docker.pull': async ({ repository, reference }) => {
      const host = requireRunning('Docker has nothing to pull from')
      const sep = reference.startsWith('sha256:') || reference.startsWith('sha512:') ? '@' : ':'
      const ref = `${host}/${repository}${sep}${reference}`
      const routed = await routes.pull(routeContext(await engine.client(), host), { repository, reference })
      log.info({ reference: ref, path: routed.route.path, why: routed.why }, 'pull')
      const t = transfers.start('pull', ref, ref, routed.run, (m) => adviseDockerError(m, host), routed.route)
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
          const routed = await routes.pull(routeContext(docker, host), { repository, reference })
          const state = await routed.run(new AbortController().signal, () => {}).catch((err: Error & { statusCode?: number; json?: { message?: string } }) => {
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
