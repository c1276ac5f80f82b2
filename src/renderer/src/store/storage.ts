import { create } from 'zustand'
import type { ApiOutput } from '@shared/contract'
import type { DataFolder, GcReport, RegistryVolume, RetentionCandidate, RetentionRule, StorageProgress, StorageUsage, VerifyReport } from '@shared/model/storage'
import { call, ClientError, messageOf } from '../lib/client'
import { useRegistry } from './registry'
import { useSettings } from './settings'
import { importActions, isImporting, type ImportActions, type ImportJob } from './storage-import'

export { isImporting, type ImportJob, type ImportPreview, type ImportResult } from './storage-import'

export type StorageOperation = StorageProgress['operation']
export type ExportResult = ApiOutput<'storage.export'>
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

interface StorageState extends ImportActions {
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

  verify(): Promise<void>
}

const USAGE_DEBOUNCE_MS = 800
let usageSeq = 0
let pendingUsage: ReturnType<typeof setTimeout> | undefined

/** After the registry switched folders: its address and settings changed (the catalog hears it from the change feed). */
function folderSwitched() {
  void useRegistry.getState().load()
  void useSettings.getState().load()
}

/** The slices that hold one action's Job. */
type JobKey = { [K in keyof StorageState]: StorageState[K] extends Job<unknown> ? K : never }[keyof StorageState]
type JobResult<K extends JobKey> = StorageState[K] extends Job<infer T> ? T : never

export const useStorage = create<StorageState>()((set, get) => {
  const startOp = (operation: StorageOperation) =>
    set((s) => {
      const progress = { ...s.progress }
      delete progress[operation]
      return { progress }
    })

  /**
   * Runs one action into its Job slice: running while it works, then its result or its advice.
   * `once`: a second start while it runs is ignored; `keep`: the last result stays on screen
   * meanwhile; `operation`: its storage.progress starts afresh. The catalog and usage refresh
   * themselves from the change feed, never from here.
   */
  const job = async <K extends JobKey>(
    key: K,
    work: () => Promise<JobResult<K>>,
    options: { once?: boolean; keep?: boolean; operation?: StorageOperation; extra?: Partial<StorageState> } = {}
  ): Promise<JobResult<K> | null> => {
    if (options.once && (get()[key] as Job<unknown>).running) return null
    const current = { ...get()[key], ...(options.extra?.[key] as object | undefined) } as Job<JobResult<K>>
    set({ ...options.extra, [key]: { ...current, running: true, result: options.keep ? current.result : null, error: null } } as Partial<StorageState>)
    if (options.operation) startOp(options.operation)
    try {
      const result = await work()
      set({ [key]: { ...get()[key], running: false, result, error: null } } as Partial<StorageState>)
      return result
    } catch (err) {
      set({ [key]: { ...get()[key], running: false, result: null, error: messageOf(err) } } as Partial<StorageState>)
      return null
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
      const options = get().gcOptions
      const report = await job('gc', () => call('storage.gc', { dryRun: true, ...options }), { once: true, keep: true, operation: 'gc', extra: { gc: { ...get().gc, mode: 'dry-run' } } })
      // A dry run is shown as the plan, not as something done.
      if (report) set({ dryRun: { ...report, options }, gc: { ...get().gc, result: null } })
      return report
    },

    async collect() {
      const options = get().gcOptions
      const report = await job('gc', () => call('storage.gc', { dryRun: false, ...options }), { once: true, operation: 'gc', extra: { gc: { ...get().gc, mode: 'collect' } } })
      if (report) set({ dryRun: null })
      return report
    },

    async deleteRepository(repository, collect) {
      startOp('delete')
      const out = await call('storage.deleteRepository', collect ? { repository, collect: true } : { repository })
      set((s) => ({ exportSelection: s.exportSelection.filter((r) => r !== repository), dryRun: null }))
      return out
    },

    async previewRetention(rule) {
      await job('retention', () => call('storage.retentionPreview', rule), { extra: { retentionRule: rule, retentionApplied: idle() } })
    },

    clearRetention() {
      set({ retentionRule: null, retention: idle() })
    },

    async applyRetention() {
      const tags = get().retention.result
      if (!tags || tags.length === 0) return
      const result = await job('retentionApplied', () => call('storage.retentionApply', { tags }), { once: true })
      if (result) set({ retention: idle(), retentionRule: null, dryRun: null })
    },

    async inspectFolder(dataDir) {
      await job('inspected', () => call('storage.inspectFolder', { dataDir }), { extra: { opened: idle() } })
    },

    resetFolder() {
      set({ inspected: idle(), opened: idle() })
    },

    async openFolder(dataDir) {
      const result = await job('opened', () => call('storage.open', { dataDir }))
      if (!result) return false
      set({ dryRun: null, gc: { ...idle<GcReport>(), mode: null }, retention: idle(), verified: idle(), exportSelection: [] })
      folderSwitched()
      return true
    },

    async moveFolder(target) {
      if (get().moved.running) return false
      const result = await job('moved', () => call('storage.move', { target }), { operation: 'move' })
      if (result) folderSwitched()
      return result !== null
    },

    resetMove() {
      if (!get().moved.running) set({ moved: idle() })
    },

    async loadVolumes() {
      await job('volumes', () => call('storage.dockerVolumes'), { keep: true })
    },

    toggleExport(reference) {
      set((s) => ({ exportSelection: s.exportSelection.includes(reference) ? s.exportSelection.filter((r) => r !== reference) : [...s.exportSelection, reference] }))
    },

    clearExportSelection() {
      set({ exportSelection: [] })
    },

    async exportImages(input) {
      let conflict: string | null = null
      const refusedAsExisting = (err: unknown) => err instanceof ClientError && err.code === 'CONFLICT' && (err.detail as { exists?: boolean } | undefined)?.exists === true
      const work = () =>
        call('storage.export', input).catch((err: unknown) => {
          if (refusedAsExisting(err)) conflict = input.file
          throw err
        })
      await job('exported', work, { once: true, operation: 'export', extra: { exportConflict: null } })
      if (conflict) set({ exportConflict: conflict })
    },

    ...importActions(set, get, () => startOp('import')),

    async verify() {
      await job('verified', () => call('storage.verify'), { once: true, operation: 'verify' })
    }
  }
})

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
