import { homedir } from 'node:os'
import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import { AccountStore } from '../accounts/store'
import type { ActivityLog } from '../activity/activity-log'
import type { DockerEngine } from '../docker/engine'
import { diagnose, type DockerInfo } from '../doctor/doctor'
import { infoFor } from '../sharing/facts'
import { caPaths, loadOrCreateCa } from '../tls/ca'
import { interfaceAddresses } from '../tls/names'
import type { CatalogService } from './catalog'
import type { EventBus } from './events'
import type { RegistryHost } from './registry-host'
import type { SettingsStore } from './settings-store'

type SharingMethods = 'users.list' | 'users.add' | 'users.remove' | 'users.passwd' | 'sharing.ca' | 'sharing.interfaces' | 'sharing.info' | 'docker.doctor' | 'activity.list'

export interface SharingDeps {
  registry: RegistryHost
  settings: SettingsStore
  bus: EventBus
  engine: DockerEngine
  activity: ActivityLog
  catalog: () => Promise<CatalogService>
}

/** An image of this registry for the examples (the first tag of the first repository), else a made-up one. */
async function exampleImage(catalog: () => Promise<CatalogService>): Promise<{ repository: string; tag: string } | undefined> {
  try {
    const c = await catalog()
    const first = (await c.repositories(undefined, 0, 1)).items[0]
    if (!first) return undefined
    const tag = (await c.tags(first.name))[0]
    return tag ? { repository: first.name, tag: tag.tag } : undefined
  } catch {
    return undefined
  }
}

/** The contract's accounts, CA, sharing steps, doctor and activity methods. */
export function createSharingApi(deps: SharingDeps): Pick<Api, SharingMethods> {
  const { registry, settings, bus } = deps
  // The running registry's store watches the files; the same folder's store otherwise.
  const accounts = () => registry.sharing?.accounts ?? AccountStore.ofDataDir(settings.get().dataDir)
  const changed = () => bus.emit('registry.status', registry.status())

  return {
    'users.list': () => accounts().list(),
    'users.add': async ({ name, role, password }) => {
      const account = await accounts().add(name, role, password)
      changed()
      return account
    },
    'users.remove': async ({ name }) => {
      await accounts().remove(name)
      changed()
      return { ok: true as const }
    },
    'users.passwd': async ({ name, password }) => {
      await accounts().passwd(name, password)
      return { ok: true as const }
    },
    'sharing.ca': async () => {
      const ca = await loadOrCreateCa(registry.tlsDir)
      return { pem: ca.pem, fingerprint: ca.fingerprint, path: caPaths(registry.tlsDir).cert }
    },
    'sharing.interfaces': async () => interfaceAddresses(),
    'sharing.info': async () => {
      const s = settings.get()
      const status = registry.status()
      return infoFor(
        { host: s.host, port: status.port, tls: s.tls, anonymousPull: s.anonymousPull, customCert: Boolean(s.tlsCert && s.tlsKey) },
        { tlsDir: registry.tlsDir, image: await exampleImage(deps.catalog), warnings: status.sharing?.warnings }
      )
    },
    'docker.doctor': async (input) => {
      const docker = await deps.engine.client()
      let info: DockerInfo
      try {
        info = (await docker.info()) as DockerInfo
      } catch (err) {
        throw new BerthError('DOCKER_UNREACHABLE', `The Docker engine did not answer (${(err as Error).message}); start it, then ask again.`)
      }
      const status = registry.status()
      return diagnose({
        registry: input?.registry ?? status.pullHost,
        info,
        endpoint: deps.engine.status.endpoint?.address ?? null,
        platform: process.platform,
        home: process.env.HOME || homedir(),
        berthCa: status.sharing?.certificate?.source !== 'custom'
      })
    },
    'activity.list': async (filter) => deps.activity.list(filter ?? {})
  }
}
