import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { resolve, sep } from 'node:path'
import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import type { RegistryVolume } from '@shared/model/storage'
import type { DockerEngine } from '../docker/engine'
import { findVolumeCandidates } from '../docker/volumes'
import { paths } from '../storage'
import { mkdirWithin } from '../storage/core/files'
import { exportImages, importArchive, previewImport } from '../storage/archive'
import {
  applyRetention, checkAdoptable, collectGarbage, copyDataFolder, inspectFolder, normalizeDataDir, retentionCandidates, storageUsage, verifyStorage
} from '../storage/manage'
import type { EventBus } from './events'
import type { RegistryHost } from './registry-host'
import type { SettingsStore } from './settings-store'
import type { StorageBusy } from './storage-busy'

type StorageMethods = { [M in keyof Api as M extends `storage.${string}` ? M : never]: Api[M] }

export interface StorageDeps {
  bus: EventBus
  registry: RegistryHost
  settings: SettingsStore
  engine: DockerEngine
  uploadMaxAgeMs: number
  /** The lock long operations share (with the policy scheduler). */
  busy: StorageBusy
}

/**
 * Docker volumes and bind mounts that hold registry data: the engine's candidates, each folder
 * looked at where it is on this machine (a registry container's mount counts even when it is not).
 */
export async function registryVolumes(engine: DockerEngine): Promise<RegistryVolume[]> {
  const out: RegistryVolume[] = []
  for (const candidate of await findVolumeCandidates(await engine.client())) {
    const { registryMount, ...volume } = candidate
    const info = volume.mountpoint ? await inspectFolder(volume.mountpoint).catch(() => null) : null
    const repositories = info?.isRegistry ? info.repositories : null
    if (repositories === null && !registryMount) continue
    out.push({ ...volume, mountpoint: info?.exists ? volume.mountpoint : null, repositories })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * The storage methods of the contract: usage, collection, retention, folders, export/import, verify.
 * Long operations report through `storage.progress` events (throttled to ~10 a second) and never
 * overlap one another: a collection during a move would read a folder that is going away.
 */
export function createStorageApi(deps: StorageDeps): StorageMethods {
  const { bus, registry } = deps
  const { exclusive, notBusy } = deps.busy

  async function switchTo(dataDir: string): Promise<void> {
    await deps.settings.update({ dataDir })
    if (registry.running) await registry.restart()
    else bus.emit('registry.status', registry.status())
    // Opens the new folder now: its feed announces that everything changed.
    await registry.storage()
  }

  return {
    'storage.usage': async () => storageUsage(await registry.storage(), { uploadMaxAgeMs: deps.uploadMaxAgeMs }),

    'storage.gc': (options) => exclusive('gc', async (onProgress) => collectGarbage(await registry.storage(), options ?? {}, onProgress)),

    'storage.deleteRepository': async ({ repository, collect }) => {
      const storage = await registry.storage()
      const tags = await storage.repos.deleteRepository(repository)
      if (tags === null) throw new BerthError('NOT_FOUND', `There is no repository ${repository} in this registry.`, { repository })
      if (!collect) return { tags, freedBytes: 0 }
      const report = await exclusive('gc', (onProgress) => collectGarbage(storage, {}, onProgress))
      return { tags, freedBytes: report.freedBytes }
    },

    'storage.retentionPreview': async (rule) => retentionCandidates(await registry.storage(), rule),
    'storage.retentionApply': async ({ tags }) => {
      const { deleted, skipped } = await applyRetention(await registry.storage(), tags)
      return { deleted, skipped }
    },

    'storage.inspectFolder': async ({ dataDir }) => {
      const { exists: _e, empty: _m, ...folder } = await inspectFolder(dataDir)
      return folder
    },
    'storage.open': async ({ dataDir }) => {
      notBusy()
      const folder = await checkAdoptable(dataDir)
      if (folder.dataDir !== normalizeDataDir(deps.settings.get().dataDir)) await switchTo(folder.dataDir)
      return folder
    },
    'storage.move': ({ target }) =>
      exclusive('move', async (onProgress) => {
        const from = deps.settings.get().dataDir
        const to = resolve(target)
        // The registry pauses: nothing may change the folder while it is copied.
        const wasRunning = registry.running
        if (wasRunning) await registry.stop()
        try {
          const { bytes, files } = await copyDataFolder(from, to, onProgress)
          await deps.settings.update({ dataDir: to })
          await registry.storage()
          return { from, to, bytes, files }
        } finally {
          if (wasRunning) await registry.start().catch(() => {})
          else bus.emit('registry.status', registry.status())
        }
      }),

    'storage.dockerVolumes': () => registryVolumes(deps.engine),
    'storage.openVolume': async ({ name }) => {
      notBusy()
      const volume = (await registryVolumes(deps.engine)).find((v) => v.name === name)
      if (!volume) throw new BerthError('NOT_FOUND', `Docker has no volume ${name} with registry data; storage.dockerVolumes lists those it has.`, { name })
      if (!volume.mountpoint)
        throw new BerthError('NOT_FOUND', `The volume ${name} is not on this machine (the Docker engine is remote or in a VM); copy its data here, then open the folder.`, { name })
      const folder = await checkAdoptable(volume.mountpoint)
      if (folder.dataDir !== normalizeDataDir(deps.settings.get().dataDir)) await switchTo(folder.dataDir)
      return folder
    },

    'storage.export': (request) => exclusive('export', async (onProgress) => exportImages(await registry.storage(), request, onProgress)),
    // Reads only: runs beside anything else, and keeps a file the window uploaded (the import takes it).
    'storage.importPreview': async (request) => previewImport(await registry.storage(), request),
    'storage.import': (request) =>
      exclusive('import', async (onProgress) => {
        const storage = await registry.storage()
        try {
          return await importArchive(storage, request, onProgress)
        } finally {
          // A file the window uploaded for this import is ours to remove.
          if (resolve(request.file).startsWith(paths.uploadInbox(storage.layout) + sep)) await rm(request.file, { force: true })
        }
      }),

    'storage.verify': () => exclusive('verify', async (onProgress) => verifyStorage(await registry.storage(), onProgress))
  }
}

/**
 * A new file name in the upload inbox, where files a browser window sends wait until imported
 * (inside the data folder: same disk, same permissions).
 */
export async function newInboxFile(registry: RegistryHost): Promise<string> {
  const layout = (await registry.storage()).layout
  // Inside the data folder only: never bring back, empty, a folder that was moved away.
  await mkdirWithin(layout.root, paths.uploadInbox(layout))
  return paths.inboxFile(layout, randomBytes(8).toString('hex'))
}
