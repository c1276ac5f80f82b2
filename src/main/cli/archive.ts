import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { BerthError } from '@shared/errors'
import { formatBytes } from '@shared/format'
import { destinationName, destinationText, formatText } from '@shared/import-destination'
import type { StorageProgress } from '@shared/model/storage'
import { withFolder } from './service-client'

export interface ExportCliOptions {
  data: string
  output: string
  format: 'oci' | 'docker'
  force?: boolean
}

export interface ImportCliOptions {
  data: string
  repo?: string
  dryRun?: boolean
}

function short(item: string): string {
  return item.replace(/([a-f0-9]{12})[a-f0-9]{52}/g, '$1…')
}

/** Progress on stderr: a line per item started, and one per 10 % of the bytes when the total is known. */
function printer(verb: string) {
  let lastItem: string | undefined
  let lastTenth = 0
  return (p: StorageProgress) => {
    if (p.finished) return
    const tenth = p.total ? Math.floor((10 * p.done) / p.total) : 0
    const newItem = p.item !== undefined && p.item !== lastItem
    if (!newItem && tenth <= lastTenth) return
    lastItem = p.item ?? lastItem
    lastTenth = Math.max(lastTenth, tenth)
    const share = p.total ? ` ${String(Math.floor((100 * p.done) / p.total)).padStart(3)}%` : ''
    process.stderr.write(`${verb} ${p.phase}${share}${lastItem ? ` ${short(lastItem)}` : ''}\n`)
  }
}

function fail(err: unknown): number {
  const message = err instanceof BerthError ? err.message : `Something went wrong: ${(err as Error).message}`
  process.stderr.write(`berth: ${message}\n`)
  return 1
}

/** `berth export <ref...> -o <file>`: the images of a data folder as one tar. */
export async function runExport(references: string[], opts: ExportCliOptions): Promise<number> {
  // Ctrl-C mid-export: the half-written file goes with the process.
  const partial = `${resolve(opts.output)}.partial`
  const interrupted = () => {
    rmSync(partial, { force: true })
    process.stderr.write('berth: export interrupted; nothing was written.\n')
    process.exit(130)
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  try {
    const started = performance.now()
    const request = { references, file: resolve(opts.output), format: opts.format, overwrite: opts.force === true }
    const result = await withFolder(resolve(opts.data), { mustExist: true, onProgress: printer('export') }, (call) => call('storage.export', request))
    const seconds = (performance.now() - started) / 1000
    process.stdout.write(
      `Exported ${result.images.length} image${result.images.length === 1 ? '' : 's'} (${formatBytes(result.bytes)}, ${result.format}) to ${result.file} in ${seconds.toFixed(1)} s\n`
    )
    return 0
  } catch (err) {
    return fail(err)
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
  }
}

/** `berth import <file>`: the images of a tar or OCI layout folder into a data folder. */
export async function runImport(file: string, opts: ImportCliOptions): Promise<number> {
  try {
    const started = performance.now()
    const request = { file: resolve(file), ...(opts.repo !== undefined ? { repository: opts.repo } : {}) }
    if (opts.dryRun) {
      // What the window shows before its Import button: nothing is written.
      const preview = await withFolder(resolve(opts.data), {}, (call) => call('storage.importPreview', request))
      const lines = preview.images.map((i) => `  ${destinationName(i)}  ${destinationText(i)}${i.platforms.length ? ` (${i.platforms.map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/')).join(', ')})` : ''}`)
      process.stdout.write(`${preview.file}: ${formatText(preview.format)}, ${formatBytes(preview.bytes)}, ${preview.images.length} image${preview.images.length === 1 ? '' : 's'}; nothing imported\n${lines.join('\n')}\n`)
      if (preview.needsRepository) process.stdout.write('Give a repository with --repo <name> for the images the archive names none for.\n')
      return preview.needsRepository ? 1 : 0
    }
    const result = await withFolder(resolve(opts.data), { onProgress: printer('import') }, (call) => call('storage.import', request))
    const seconds = (performance.now() - started) / 1000
    const names = result.images.map((i) => (i.tag ? `${i.repository}:${i.tag}` : `${i.repository}@${i.digest}`)).join(', ')
    process.stdout.write(`Imported ${names} (${result.blobs} blobs, ${formatBytes(result.bytes)}, ${result.format}) in ${seconds.toFixed(1)} s\n`)
    return 0
  } catch (err) {
    return fail(err)
  }
}
