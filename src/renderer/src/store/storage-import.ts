import type { ApiOutput } from '@shared/contract'
import { call, ClientError, messageOf, pathForDroppedFile } from '../lib/client'

// An import from the window: a dropped file is uploaded (in a browser), every archive is previewed
// (what it holds, where each image goes) and only imported once the person says so.

export type ImportResult = ApiOutput<'storage.import'>
export type ImportPreview = ApiOutput<'storage.importPreview'>

export interface ImportJob {
  /** What is imported, for people: the dropped file's name or the typed path. */
  source: string
  /** The service-side path, once known (after the upload of a dropped file). */
  path: string | null
  /** `preview`: read, waiting for the person's Import. */
  phase: 'uploading' | 'previewing' | 'preview' | 'importing' | 'done' | 'error'
  /** The repository every image goes into instead of the archive's names (needed when it names none). */
  repository: string | null
  preview: ImportPreview | null
  result: ImportResult | null
  error: string | null
  /** The error is about the repository (none named, or an invalid one): the field to fix it shows. */
  errorAboutRepository: boolean
}

export interface ImportActions {
  importFile(file: File, repository?: string): Promise<void>
  importPath(path: string, repository?: string): Promise<void>
  /** The preview again with another repository (the archive is not uploaded again). */
  previewImport(repository?: string): Promise<void>
  /** Imports what the preview showed. */
  confirmImport(): Promise<void>
  closeImport(): void
}

/** Uploading or importing: the dialog stays open and other storage operations wait. */
export function isImporting(job: ImportJob | null): boolean {
  return job !== null && (job.phase === 'uploading' || job.phase === 'importing')
}

const aboutRepository = (err: unknown) => err instanceof ClientError && (err.detail as { needs?: string } | undefined)?.needs === 'repository'

const request = (path: string, repository: string | null) => (repository ? { file: path, repository } : { file: path })

export function importActions(set: (patch: { importJob: ImportJob | null }) => void, get: () => { importJob: ImportJob | null }, started: () => void): ImportActions {
  /** Each start or close makes an earlier answer stale (a preview that comes back after Cancel). */
  let seq = 0
  const fresh = (id: number) => id === seq && get().importJob !== null

  const preview = async (job: ImportJob, resolvePath: () => Promise<string>) => {
    const id = ++seq
    set({ importJob: job })
    try {
      const path = await resolvePath()
      if (!fresh(id)) return
      set({ importJob: { ...job, path, phase: 'previewing' } })
      const result = await call('storage.importPreview', request(path, job.repository))
      if (fresh(id)) set({ importJob: { ...job, path, phase: 'preview', preview: result } })
    } catch (err) {
      if (fresh(id)) set({ importJob: { ...job, path: get().importJob?.path ?? job.path, phase: 'error', error: messageOf(err), errorAboutRepository: aboutRepository(err) } })
    }
  }

  const begin = (source: string, path: string | null, repository: string | undefined): ImportJob => ({
    source,
    path,
    phase: path ? 'previewing' : 'uploading',
    repository: repository ?? null,
    preview: null,
    result: null,
    error: null,
    errorAboutRepository: false
  })

  return {
    async importFile(file, repository) {
      if (isImporting(get().importJob)) return
      await preview(begin(file.name, null, repository), () => pathForDroppedFile(file))
    },
    async importPath(path, repository) {
      if (isImporting(get().importJob)) return
      await preview(begin(path, path, repository), async () => path)
    },
    async previewImport(repository) {
      const current = get().importJob
      if (!current?.path || isImporting(current)) return
      const path = current.path
      await preview({ ...begin(current.source, path, repository), preview: current.preview }, async () => path)
    },
    async confirmImport() {
      const current = get().importJob
      if (!current?.path || current.phase !== 'preview' || current.preview?.needsRepository) return
      const id = ++seq
      const job: ImportJob = { ...current, phase: 'importing' }
      set({ importJob: job })
      started()
      try {
        const result = await call('storage.import', request(current.path, current.repository))
        if (fresh(id)) set({ importJob: { ...job, phase: 'done', result } })
      } catch (err) {
        if (fresh(id)) set({ importJob: { ...job, phase: 'error', error: messageOf(err), errorAboutRepository: false } })
      }
    },
    closeImport() {
      if (isImporting(get().importJob)) return
      seq++
      set({ importJob: null })
    }
  }
}
