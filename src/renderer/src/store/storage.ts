import { create } from 'zustand'
import type { ApiOutput } from '@shared/contract'
import type { DataFolder, GcReport, RegistryVolume, RetentionCandidate, RetentionRule, StorageProgress, StorageUsage, VerifyReport } from '@shared/model/storage'
import { call, ClientError, messageOf, pathForDroppedFile } from '../lib/client'
import { useCatalog } from './catalog'
import { useRegistry } from './registry'
import { useSettings } from './settings'

export type StorageOperation = StorageProgress['operation']
export type ExportResult = ApiOutput<'storage.export'>
export type ImportResult = ApiOutput<'storage.import'>
export type MoveResult = ApiOutput<'storage.move'>

/** One action's state: what it answered or why it failed, and whether it runs. */
export interface Job<T> {
  running: boolean
  result: T | null
  error: string | null
}

const idle = <T>(): Job<T> => ({ running: false, result: null, error: null })

export interface GcOptionsState {
  untagged: boolean
  referrers: boolean
}

export interface ImportJob {
  /** What is imported, for people: the dropped file's name or the typed path. */
  source: string
  /** The service-side path, once known (after the upload of a dropped file). */
  path: string | null
  phase: 'uploading' | 'importing' | 'done' | 'error'
  /** The repository asked for (archives that name none need one). */
  repository: string | null
  result: ImportResult | null
  error: string | null
}

interface StorageState {
  usage: StorageUsage | null
  /** `loading` only before the first answer; later refreshes keep the picture on screen. */
  status: 'idle' | 'loading' | 'ready' | 'error'
  refreshing: boolean
  error: string | null

  /** The last storage.progress of each operation (cleared when one starts). */
  progress: Partial<Record<StorageOperation, StorageProgress>>

  gcOptions: GcOptionsState
  /** The dry run, with the options it was made with (a change of options makes it stale). */
  dryRun: (GcReport & { options: GcOptionsState }) | null
  gc: Job<GcReport> & { mode: 'dry-run' | 'collect' | null }

  retentionRule: RetentionRule | null
  retention: Job<RetentionCandidate[]>
  retentionApplied: Job<{ deleted: number; skipped: number }>

  inspected: Job<DataFolder>
  opened: Job<DataFolder>
  moved: Job<MoveResult>
  volumes: Job<RegistryVolume[]>

  exportSelection: string[]
  exported: Job<ExportResult>
  /** The file the last export refused to replace (it exists): the window asks before exporting with overwrite. */
  exportConflict: string | null
  importJob: ImportJob | null

  verified: Job<VerifyReport>

  loadUsage(fresh?: boolean): Promise<void>
  /** A catalog change: refetch the picture (debounced), if it was ever shown. */
  invalidateUsage(): void
  onProgress(progress: StorageProgress): void

  setGcOptions(patch: Partial<GcOptionsState>): void
  runDryRun(): Promise<GcReport | null>
  collect(): Promise<GcReport | null>

  /** Rejects with the service's advice (the confirmation shows it). */
  deleteRepository(repository: string, collect: boolean): Promise<{ tags: number; freedBytes: number }>

  previewRetention(rule: RetentionRule): Promise<void>
  clearRetention(): void
  /** Deletes exactly the previewed tags. */
  applyRetention(): Promise<void>

  inspectFolder(dataDir: string): Promise<void>
  resetFolder(): void
  openFolder(dataDir: string): Promise<boolean>
  moveFolder(target: string): Promise<boolean>
  resetMove(): void
  loadVolumes(): Promise<void>

  toggleExport(reference: string): void
  clearExportSelection(): void
  exportImages(input: { references: string[]; file: string; format: 'oci' | 'docker'; overwrite?: boolean }): Promise<void>

  importFile(file: File, repository?: string): Promise<void>
  importPath(path: string, repository?: string): Promise<void>
  /** Again, with a repository (an archive that names none), without uploading again. */
  retryImport(repository?: string): Promise<void>
  closeImport(): void

  verify(): Promise<void>
}

const USAGE_DEBOUNCE_MS = 800
let usageSeq = 0
let pendingUsage: ReturnType<typeof setTimeout> | undefined

/** After a write: the repositories and tags on screen may have changed. */
function catalogChanged(repository = '') {
  useCatalog.getState().invalidate({ repository, action: 'delete' })
}

/** After the registry switched folders: everything it shows is another registry's. */
function folderSwitched() {
  void useRegistry.getState().load()
  void useSettings.getState().load()
  void useCatalog.getState().loadRepositories()
}

export const useStorage = create<StorageState>()((set, get) => {
  const startOp = (operation: StorageOperation) =>
    set((s) => {
      const progress = { ...s.progress }
      delete progress[operation]
      return { progress }
    })

  const runImport = async (job: ImportJob, resolve: () => Promise<string>) => {
    set({ importJob: job })
    startOp('import')
    try {
      const path = await resolve()
      set({ importJob: { ...job, path, phase: 'importing' } })
      const result = await call('storage.import', job.repository ? { file: path, repository: job.repository } : { file: path })
      set({ importJob: { ...job, path, phase: 'done', result } })
      for (const repository of new Set(result.images.map((i) => i.repository))) catalogChanged(repository)
      void get().loadUsage(true)
    } catch (err) {
      set((s) => ({ importJob: { ...job, path: s.importJob?.path ?? job.path, phase: 'error', error: messageOf(err) } }))
    }
  }

  return {
    usage: null,
    status: 'idle',
    refreshing: false,
    error: null,
    progress: {},
    gcOptions: { untagged: false, referrers: true },
    dryRun: null,
    gc: { ...idle<GcReport>(), mode: null },
    retentionRule: null,
    retention: idle(),
    retentionApplied: idle(),
    inspected: idle(),
    opened: idle(),
    moved: idle(),
    volumes: idle(),
    exportSelection: [],
    exported: idle(),
    exportConflict: null,
    importJob: null,
    verified: idle(),

    async loadUsage(fresh = false) {
      const seq = ++usageSeq
      clearTimeout(pendingUsage)
      if (get().status !== 'ready') set({ status: 'loading' })
      set({ refreshing: true })
      try {
        const usage = await call('storage.usage', fresh ? { fresh: true } : undefined)
        if (seq !== usageSeq) return
        set({ usage, status: 'ready', error: null, refreshing: false })
      } catch (err) {
        if (seq !== usageSeq) return
        set({ status: get().status === 'ready' ? 'ready' : 'error', error: messageOf(err), refreshing: false })
      }
    },

    invalidateUsage() {
      if (get().status === 'idle') return
      clearTimeout(pendingUsage)
      pendingUsage = setTimeout(() => void get().loadUsage(), USAGE_DEBOUNCE_MS)
    },

    onProgress(progress) {
      set((s) => ({ progress: { ...s.progress, [progress.operation]: progress } }))
    },

    setGcOptions(patch) {
      set((s) => ({ gcOptions: { ...s.gcOptions, ...patch } }))
    },

    async runDryRun() {
      if (get().gc.running) return null
      const options = get().gcOptions
      set({ gc: { running: true, mode: 'dry-run', result: get().gc.result, error: null } })
      startOp('gc')
      try {
        const report = await call('storage.gc', { dryRun: true, ...options })
        set({ dryRun: { ...report, options }, gc: { running: false, mode: 'dry-run', result: null, error: null } })
        return report
      } catch (err) {
        set({ gc: { running: false, mode: 'dry-run', result: null, error: messageOf(err) } })
        return null
      }
    },

    async collect() {
      if (get().gc.running) return null
      const options = get().gcOptions
      set({ gc: { running: true, mode: 'collect', result: null, error: null } })
      startOp('gc')
      try {
        const report = await call('storage.gc', { dryRun: false, ...options })
        set({ gc: { running: false, mode: 'collect', result: report, error: null }, dryRun: null })
        if (report.manifests.length > 0) catalogChanged()
        void get().loadUsage(true)
        return report
      } catch (err) {
        set({ gc: { running: false, mode: 'collect', result: null, error: messageOf(err) } })
        return null
      }
    },

    async deleteRepository(repository, collect) {
      startOp('delete')
      const out = await call('storage.deleteRepository', collect ? { repository, collect: true } : { repository })
      set((s) => ({ exportSelection: s.exportSelection.filter((r) => r !== repository), dryRun: null }))
      catalogChanged(repository)
      void get().loadUsage(true)
      return out
    },

    async previewRetention(rule) {
      set({ retentionRule: rule, retention: { running: true, result: null, error: null }, retentionApplied: idle() })
      try {
        const result = await call('storage.retentionPreview', rule)
        set({ retention: { running: false, result, error: null } })
      } catch (err) {
        set({ retention: { running: false, result: null, error: messageOf(err) } })
      }
    },

    clearRetention() {
      set({ retentionRule: null, retention: idle() })
    },

    async applyRetention() {
      const tags = get().retention.result
      if (!tags || tags.length === 0 || get().retentionApplied.running) return
      set({ retentionApplied: { running: true, result: null, error: null } })
      try {
        const result = await call('storage.retentionApply', { tags })
        set({ retentionApplied: { running: false, result, error: null }, retention: idle(), retentionRule: null, dryRun: null })
        for (const repository of new Set(tags.map((t) => t.repository))) catalogChanged(repository)
        void get().loadUsage(true)
      } catch (err) {
        set({ retentionApplied: { running: false, result: null, error: messageOf(err) } })
      }
    },

    async inspectFolder(dataDir) {
      set({ inspected: { running: true, result: null, error: null }, opened: idle() })
      try {
        set({ inspected: { running: false, result: await call('storage.inspectFolder', { dataDir }), error: null } })
      } catch (err) {
        set({ inspected: { running: false, result: null, error: messageOf(err) } })
      }
    },

    resetFolder() {
      set({ inspected: idle(), opened: idle() })
    },

    async openFolder(dataDir) {
      set({ opened: { running: true, result: null, error: null } })
      try {
        const result = await call('storage.open', { dataDir })
        set({ opened: { running: false, result, error: null }, dryRun: null, gc: { ...idle<GcReport>(), mode: null }, retention: idle(), verified: idle(), exportSelection: [] })
        folderSwitched()
        void get().loadUsage(true)
        return true
      } catch (err) {
        set({ opened: { running: false, result: null, error: messageOf(err) } })
        return false
      }
    },

    async moveFolder(target) {
      if (get().moved.running) return false
      set({ moved: { running: true, result: null, error: null } })
      startOp('move')
      try {
        const result = await call('storage.move', { target })
        set({ moved: { running: false, result, error: null } })
        folderSwitched()
        void get().loadUsage(true)
        return true
      } catch (err) {
        set({ moved: { running: false, result: null, error: messageOf(err) } })
        return false
      }
    },

    resetMove() {
      if (!get().moved.running) set({ moved: idle() })
    },

    async loadVolumes() {
      set((s) => ({ volumes: { running: true, result: s.volumes.result, error: null } }))
      try {
        set({ volumes: { running: false, result: await call('storage.dockerVolumes'), error: null } })
      } catch (err) {
        set({ volumes: { running: false, result: null, error: messageOf(err) } })
      }
    },

    toggleExport(reference) {
      set((s) => ({ exportSelection: s.exportSelection.includes(reference) ? s.exportSelection.filter((r) => r !== reference) : [...s.exportSelection, reference] }))
    },

    clearExportSelection() {
      set({ exportSelection: [] })
    },

    async exportImages(input) {
      if (get().exported.running) return
      set({ exported: { running: true, result: null, error: null }, exportConflict: null })
      startOp('export')
      try {
        set({ exported: { running: false, result: await call('storage.export', input), error: null } })
      } catch (err) {
        const exists = err instanceof ClientError && err.code === 'CONFLICT' && (err.detail as { exists?: boolean } | undefined)?.exists === true
        set({ exported: { running: false, result: null, error: messageOf(err) }, exportConflict: exists ? input.file : null })
      }
    },

    async importFile(file, repository) {
      if (isImporting(get().importJob)) return
      await runImport({ source: file.name, path: null, phase: 'uploading', repository: repository ?? null, result: null, error: null }, () => pathForDroppedFile(file))
    },

    async importPath(path, repository) {
      if (isImporting(get().importJob)) return
      await runImport({ source: path, path, phase: 'importing', repository: repository ?? null, result: null, error: null }, async () => path)
    },

    async retryImport(repository) {
      const job = get().importJob
      if (!job || !job.path || isImporting(job)) return
      const path = job.path
      await runImport({ ...job, phase: 'importing', repository: repository ?? null, result: null, error: null }, async () => path)
    },

    closeImport() {
      if (!isImporting(get().importJob)) set({ importJob: null })
    },

    async verify() {
      if (get().verified.running) return
      set({ verified: { running: true, result: null, error: null } })
      startOp('verify')
      try {
        set({ verified: { running: false, result: await call('storage.verify'), error: null } })
      } catch (err) {
        set({ verified: { running: false, result: null, error: messageOf(err) } })
      }
    }
  }
})

export function isImporting(job: ImportJob | null): boolean {
  return job !== null && (job.phase === 'uploading' || job.phase === 'importing')
}

/** Any storage operation under way: the service runs one at a time, so the others wait (buttons disabled). */
export function useStorageBusy(): boolean {
  return useStorage(
    (s) => s.gc.running || s.moved.running || s.opened.running || s.retentionApplied.running || s.exported.running || s.verified.running || isImporting(s.importJob)
  )
}

/** A progress event as a percentage (null when the total is not known yet). */
export function progressPercent(p: StorageProgress | undefined): number | null {
  if (!p || p.total === null || p.total <= 0) return p?.finished ? 100 : null
  return Math.min(100, (100 * p.done) / p.total)
}
