import { mkdir, rm } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import type { StorageProgress } from '@shared/model/storage'
import type { DockerEngine } from '../docker/engine'
import { findRegistryVolumes } from '../docker/volumes'
import { exportImages, importArchive } from '../storage/archive'
import { checkAdoptable, copyDataFolder, inspectFolder, normalizeDataDir } from '../storage/folders'
import { collectGarbage } from '../storage/gc'
import { applyRetention, retentionCandidates } from '../storage/retention'
import type { ProgressFn } from '../storage/scan'
import { storageUsage } from '../storage/usage-report'
import { verifyStorage } from '../storage/verify'
import type { CatalogService } from './catalog'
import type { EventBus } from './events'
import type { RegistryHost } from './registry-host'
import type { SettingsStore } from './settings-store'

const BUSY_WITH: Record<StorageProgress['operation'], string> = {
  gc: 'a garbage collection',
  move: 'moving the data folder',
  export: 'an export',
  import: 'an import',
  verify: 'verifying the blobs',
  delete: 'deleting a repository'
}

type StorageMethods = { [M in keyof Api as M extends `storage.${string}` ? M : never]: Api[M] }

export interface StorageDeps {
  bus: EventBus
  registry: RegistryHost
  settings: SettingsStore
  engine: DockerEngine
  catalog: () => Promise<CatalogService>
  uploadMaxAgeMs: number
  /** Tells everyone a repository changed (catalog views, usage caches). */
  changed: (repository: string, action: 'delete' | 'push', reference?: string) => void
}

/** Where files dropped into the window are staged before an import (inside the data folder: same disk, same permissions). */
export function stagingDir(dataDir: string): string {
  return join(dataDir, 'berth', 'staging')
}

/**
 * The storage methods of the contract: usage, collection, retention, folders, export/import, verify.
 * Long operations report through `storage.progress` events (throttled to ~10 a second) and never
 * overlap one another: a collection during a move would read a folder that is going away.
 */
export function createStorageApi(deps: StorageDeps): StorageMethods {
  const { bus, registry } = deps
  let busy: string | null = null

  function progress(operation: StorageProgress['operation']): ProgressFn & { finish(): void } {
    let last = 0
    const fn = ((p) => {
      const now = Date.now()
      if (now - last < 100 && p.done !== p.total) return
      last = now
      bus.emit('storage.progress', { operation, ...p, finished: false })
    }) as ProgressFn & { finish(): void }
    fn.finish = () => bus.emit('storage.progress', { operation, phase: 'finished', done: 1, total: 1, finished: true })
    return fn
  }

  /** Changes that must not land in the middle of a long operation (a collection, a move, an export…). */
  function notBusy(): void {
    if (busy) throw new BerthError('CONFLICT', `Berth is busy with ${busy}; wait until it has finished.`, { busy })
  }

  async function exclusive<T>(operation: StorageProgress['operation'], fn: (onProgress: ProgressFn) => Promise<T>): Promise<T> {
    notBusy()
    busy = BUSY_WITH[operation]
    const p = progress(operation)
    try {
      return await fn(p)
    } finally {
      busy = null
      p.finish()
    }
  }

  async function switchTo(dataDir: string): Promise<void> {
    await deps.settings.update({ dataDir })
    if (registry.running) await registry.restart()
    else bus.emit('registry.status', registry.status())
    deps.changed('', 'push')
  }

  return {
    'storage.usage': async () => storageUsage(await registry.storage(), { uploadMaxAgeMs: deps.uploadMaxAgeMs, inspector: (await deps.catalog()).inspector }),

    'storage.gc': (options) =>
      exclusive('gc', async (onProgress) => {
        const storage = await registry.storage()
        const report = await collectGarbage(storage, options ?? {}, onProgress, (await deps.catalog()).inspector)
        if (!report.dryRun && (report.blobs.length > 0 || report.manifests.length > 0)) deps.changed('', 'delete')
        return report
      }),

    'storage.deleteRepository': async ({ repository, collect }) => {
      const storage = await registry.storage()
      const tags = await storage.repos.deleteRepository(repository)
      if (tags === null) throw new BerthError('NOT_FOUND', `There is no repository ${repository} in this registry.`, { repository })
      storage.catalog.remove(repository)
      deps.changed(repository, 'delete')
      if (!collect) return { tags, freedBytes: 0 }
      const report = await exclusive('gc', async (onProgress) => collectGarbage(storage, {}, onProgress, (await deps.catalog()).inspector))
      return { tags, freedBytes: report.freedBytes }
    },

    'storage.retentionPreview': async (rule) => retentionCandidates(await registry.storage(), rule),
    'storage.retentionApply': async ({ tags }) => {
      const { deleted, skipped, repositories } = await applyRetention(await registry.storage(), tags)
      for (const r of repositories) deps.changed(r, 'delete')
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
          deps.changed('', 'push')
          return { from, to, bytes, files }
        } finally {
          if (wasRunning) await registry.start().catch(() => {})
          else bus.emit('registry.status', registry.status())
        }
      }),

    'storage.dockerVolumes': async () => findRegistryVolumes(await deps.engine.client()),
    'storage.openVolume': async ({ name }) => {
      notBusy()
      const volume = (await findRegistryVolumes(await deps.engine.client())).find((v) => v.name === name)
      if (!volume) throw new BerthError('NOT_FOUND', `Docker has no volume ${name} with registry data; storage.dockerVolumes lists those it has.`, { name })
      if (!volume.mountpoint)
        throw new BerthError('NOT_FOUND', `The volume ${name} is not on this machine (the Docker engine is remote or in a VM); copy its data here, then open the folder.`, { name })
      const folder = await checkAdoptable(volume.mountpoint)
      if (folder.dataDir !== normalizeDataDir(deps.settings.get().dataDir)) await switchTo(folder.dataDir)
      return folder
    },

    'storage.export': (request) => exclusive('export', async (onProgress) => exportImages(await registry.storage(), request, onProgress)),
    'storage.import': (request) =>
      exclusive('import', async (onProgress) => {
        const storage = await registry.storage()
        try {
          const result = await importArchive(storage, request, onProgress)
          for (const r of new Set(result.images.map((i) => i.repository))) {
            storage.catalog.add(r)
            deps.changed(r, 'push')
          }
          return result
        } finally {
          // A file the window uploaded for this import is ours to remove.
          const staged = stagingDir(storage.layout.root)
          if (resolve(request.file).startsWith(staged + sep)) await rm(request.file, { force: true })
        }
      }),

    'storage.verify': () => exclusive('verify', async (onProgress) => verifyStorage(await registry.storage(), onProgress))
  }
}

export async function ensureStagingDir(dataDir: string): Promise<string> {
  const dir = stagingDir(dataDir)
  await mkdir(dir, { recursive: true })
  return dir
}
