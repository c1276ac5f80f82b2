import pino, { type Logger } from 'pino'
import type { Api } from '@shared/contract'
import type { SettingsInput } from '@shared/model/registry'
import { ActivityLog } from '../activity/activity-log'
import { DockerEngine } from '../docker/engine'
import type { DiscoveryEnv } from '../docker/discovery'
import { createMetrics, type Metrics } from '../metrics/metrics'
import type { PullThrough } from '../registry/pull-through'
import { SavedRegistries } from '../remote/saved-registries'
import { MemorySecretStore, type SecretStore } from '../remote/secret-store'
import { isHiddenRepository, paths, type Storage } from '../storage'
import { layoutOf } from '../storage/core/paths'
import { sweepInbox } from '../storage/manage/upload-inbox'
import { CatalogService } from './catalog'
import { createCatalogApi } from './catalog-api'
import { createDockerApi } from './docker-api'
import { EventBus } from './events'
import { RegistryHost } from './registry-host'
import { createRemoteApi } from './remote-api'
import { createSettingsApi } from './settings-api'
import { SettingsStore } from './settings-store'
import { createSharingApi } from './sharing-api'
import { createPolicyApi } from './policy-api'
import { createStorageApi, newInboxFile } from './storage-api'
import { createStorageBusy } from './storage-busy'
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
  /** Passed to the registry server (e.g. how long abandoned uploads are kept, where the CA lives). */
  registry?: { uploadMaxAgeMs?: number; tlsDir?: string }
  /** Keep the access log in memory only (no `<data>/berth/logs/access.log`). */
  accessLogFile?: boolean
  /** Where saved registries are listed (null: in memory). Their passwords never go there. */
  registriesFile?: string | null
  /** Where passwords typed into the window are kept (default: memory, for this session only). */
  secretStore?: SecretStore
  /** How often saved storage policies are checked once init ran (default a minute; 0: never). */
  policyTickMs?: number
}

export interface Service {
  api: Api
  bus: EventBus
  registry: RegistryHost
  engine: DockerEngine
  transfers: TransferManager
  /** A new file in the upload inbox, on the data disk, where a file the window sends waits until imported. */
  newInboxFile(): Promise<string>
  /** Removes inbox files nobody imported for `maxAgeMs`; how many went. */
  sweepInbox(maxAgeMs: number): Promise<number>
  /** Prometheus metrics of the registry port (served by the HTTP transport's GET /metrics). */
  metrics: Metrics
  activity: ActivityLog
  /** Runs due storage policies now (the timer's check; for tests). */
  checkPolicies(): Promise<void>
  /** Loads settings, starts watching the engine, and starts the registry when the settings say so. */
  init(options?: { startRegistry?: boolean }): Promise<void>
  dispose(): Promise<void>
}

/**
 * The one object behind the contract: shell/ipc and the HTTP transport both call `api`. Composition
 * only: each area's methods live in their own module.
 */
export function createService(options: ServiceOptions): Service {
  const log = options.log ?? pino({ level: 'silent' })
  const bus = new EventBus()
  const settings = new SettingsStore(options.settingsFile, options.defaults)

  // The remote API needs the registry host, and the host asks it for the pull-through source at each start.
  const late: { pullThroughFor?: (storage: Storage) => PullThrough | undefined } = {}
  const activity = new ActivityLog({
    dir: options.accessLogFile === false ? null : () => paths.logsDir(layoutOf(settings.get().dataDir)),
    within: () => settings.get().dataDir,
    onEntry: (entry) => bus.emit('activity.entry', entry)
  })
  // Read at scrape time only, when the registry host exists.
  const metrics = createMetrics({ storage: () => registry.storage() })
  // The one place that announces catalog changes: the open data folder's change feed, whoever wrote.
  let unfollow = () => {}
  let opened = false
  const follow = (storage: Storage) => {
    unfollow()
    unfollow = storage.changes.subscribe((change) => {
      if (!isHiddenRepository(change.repository)) bus.emit('catalog.changed', change)
    })
    if (opened) bus.emit('catalog.changed', { repository: '', action: 'open' })
    opened = true
  }
  const registry = new RegistryHost(settings, bus, log, follow, {
    ...options.registry,
    observe: (record) => {
      metrics.observe(record)
      activity.record(record)
    },
    onLoginFailure: (reason) => metrics.loginFailure(reason)
  }, (storage) => late.pullThroughFor?.(storage))
  // Image events come in bursts (a pull tags, a rmi untags and deletes): one event per quiet 150 ms.
  let imagesTimer: NodeJS.Timeout | undefined
  let imageActions = new Set<string>()
  const imagesChanged = (e: { action: string }) => {
    imageActions.add(e.action)
    clearTimeout(imagesTimer)
    imagesTimer = setTimeout(() => {
      bus.emit('docker.imagesChanged', { actions: [...imageActions].sort() })
      imageActions = new Set()
    }, 150)
  }
  const engine = new DockerEngine(options.discovery, (status) => bus.emit('docker.status', status), imagesChanged)
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

  let catalogService: CatalogService | null = null
  async function catalog(): Promise<CatalogService> {
    const storage = await registry.storage()
    if (catalogService?.storage !== storage) catalogService = new CatalogService(storage)
    return catalogService
  }

  /** A shared registry wants an account even from the window's own engine: Berth's internal one. */
  function windowAuth(host: string) {
    const internal = registry.sharing?.internal
    return internal ? { username: internal.name, password: internal.password, serveraddress: host } : undefined
  }

  // One long storage operation at a time, whether a person or the policy scheduler starts it.
  const busy = createStorageBusy(bus)
  const policies = createPolicyApi({ bus, registry, busy, log })

  const api: Api = {
    ...createSettingsApi(registry, settings, bus, options.onStartAtLogin, log),
    ...createCatalogApi(registry, catalog),
    ...createDockerApi({ engine, registry, settings, transfers, windowAuth, log }),
    ...createStorageApi({ bus, registry, settings, engine, busy, uploadMaxAgeMs: options.registry?.uploadMaxAgeMs ?? 24 * 3_600_000 }),
    ...policies.api,
    ...createSharingApi({ registry, settings, bus, engine, activity, catalog }),
    ...remote.api
  }

  return {
    api,
    bus,
    registry,
    engine,
    transfers,
    newInboxFile: () => newInboxFile(registry),
    sweepInbox: async (maxAgeMs) => sweepInbox((await registry.storage()).layout, maxAgeMs),
    metrics,
    activity,
    checkPolicies: () => policies.scheduler.tick(),
    async init({ startRegistry } = {}) {
      const loaded = await settings.load()
      engine.watch()
      policies.scheduler.start(options.policyTickMs ?? 60_000)
      if (startRegistry ?? loaded.startOnLaunch) await registry.start().catch((err) => log.warn({ err: err.message }, 'registry did not start'))
    },
    async dispose() {
      policies.scheduler.stop()
      engine.unwatch()
      clearTimeout(imagesTimer)
      transfers.cancelAll()
      await registry.stop()
      unfollow()
      await activity.close()
    }
  }
}
