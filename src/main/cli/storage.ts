import { resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { RetentionRule } from '@shared/model/storage'
import { repositoryProblem } from '@shared/reference'
import { BerthError } from '@shared/errors'
import { formatBytes } from '@shared/format'
import type { StorageProgress } from '@shared/model/storage'
import { layoutOf } from '../storage/core/paths'
import { servingProcess } from '../storage/manage'
import { defaultDataDir } from '../config/data-dir'
import { withFolder, type CliCall } from './service-client'

// `berth usage | gc | verify | move | …`: the Storage view's work for people without a window (CI,
// servers), through the same service methods the window calls.

/** A service on a folder that holds registry data, with progress on stderr. */
async function withRegistryFolder<T>(dir: string, fn: (call: CliCall, dataDir: string) => Promise<T>): Promise<T> {
  const progress = stderrProgress()
  try {
    return await withFolder(dir, { mustExist: true, onProgress: progress }, fn)
  } finally {
    progress.end()
  }
}

/** Offline commands that change the folder refuse while a Berth registry serves it. */
async function refuseWhileServed(dataDir: string, what: string): Promise<void> {
  const serving = await servingProcess(layoutOf(dataDir))
  if (serving)
    throw new BerthError(
      'CONFLICT',
      `A Berth registry (process ${serving.pid}, port ${serving.port}) is serving ${dataDir}; ${what} from its window (it works while serving), or stop it first.`
    )
}

/** Progress on stderr: one updating line on a terminal, a line per phase otherwise. */
function stderrProgress(): ((p: StorageProgress) => void) & { end(): void } {
  const tty = process.stderr.isTTY
  let lastPhase = ''
  let lastAt = 0
  const fn = ((p) => {
    const pct = p.total ? ` ${Math.floor((100 * p.done) / p.total)}%` : ''
    if (tty) {
      if (Date.now() - lastAt < 100 && p.done !== p.total) return
      lastAt = Date.now()
      process.stderr.write(`\r\x1b[K${p.phase}${pct}${p.total ? ` (${p.done}/${p.total})` : ''}`)
    } else if (p.phase !== lastPhase) {
      lastPhase = p.phase
      process.stderr.write(`${p.phase}…\n`)
    }
  }) as ((p: StorageProgress) => void) & { end(): void }
  fn.end = () => {
    if (tty) process.stderr.write('\r\x1b[K')
  }
  return fn
}

function dataOption(): Option {
  return new Option('-d, --data <dir>', 'data folder, in Distribution (registry:2) layout').default(defaultDataDir())
}

export function addStorageCommands(program: Command): void {
  program
    .command('usage')
    .description('What fills the data folder: per repository unique and shared bytes, unreferenced blobs, uploads, free space.')
    .addOption(dataOption())
    .option('--json', 'print the whole report as JSON')
    .action(async (opts: { data: string; json?: boolean }) => {
      const usage = await withRegistryFolder(opts.data, (call) => call('storage.usage'))
      if (opts.json) return void process.stdout.write(`${JSON.stringify(usage, null, 2)}\n`)
      const lines = [
        `Data folder  ${usage.dataDir}`,
        `On disk      ${formatBytes(usage.totalBytes)} (${usage.blobs.count} blobs, ${usage.manifests.count} manifests, ${usage.manifests.untagged} untagged)`,
        `Unreferenced ${formatBytes(usage.unreferenced.bytes)} in ${usage.unreferenced.count} blobs (berth gc frees them)${usage.keptForNow.count ? `; ${usage.keptForNow.count} recent blobs kept for now (berth gc --dry-run says why)` : ''}`,
        `Uploads      ${usage.uploads.count} (${formatBytes(usage.uploads.bytes)}), ${usage.uploads.abandoned} abandoned`,
        `Free         ${formatBytes(usage.volume.freeBytes)} of ${formatBytes(usage.volume.totalBytes)}${usage.lowSpace ? '  ** LOW: free space is running out **' : ''}`,
        ''
      ]
      const width = Math.max(10, ...usage.repositories.map((r) => r.name.length))
      lines.push(`${'REPOSITORY'.padEnd(width)}  ${'TAGS'.padStart(5)}  ${'TOTAL'.padStart(10)}  ${'UNIQUE'.padStart(10)}  ${'SHARED'.padStart(10)}`)
      for (const r of [...usage.repositories].sort((a, b) => b.totalBytes - a.totalBytes))
        lines.push(
          `${r.name.padEnd(width)}  ${String(r.tagCount).padStart(5)}  ${formatBytes(r.totalBytes).padStart(10)}  ${formatBytes(r.uniqueBytes).padStart(10)}  ${formatBytes(r.sharedBytes).padStart(10)}`
        )
      process.stdout.write(`${lines.join('\n')}\n`)
    })

  program
    .command('gc')
    .description('Garbage collection (offline: stop the registry, or collect from the app while it serves).')
    .addOption(dataOption())
    .option('--dry-run', 'list what would be deleted and how many bytes it frees; change nothing')
    .option('--untagged', 'also delete manifests no tag reaches (like registry garbage-collect --delete-untagged)')
    .option('--no-referrers', 'with --untagged: do not keep signatures, SBOMs and attestations of kept images')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { data: string; dryRun?: boolean; untagged?: boolean; referrers: boolean; json?: boolean }) => {
      const report = await withRegistryFolder(opts.data, async (call, dataDir) => {
        if (!opts.dryRun) await refuseWhileServed(dataDir, 'collect')
        return call('storage.gc', { dryRun: opts.dryRun, untagged: opts.untagged, referrers: opts.referrers })
      })
      if (opts.json) return void process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      const verb = report.dryRun ? 'would delete' : 'deleted'
      for (const m of report.manifests) process.stdout.write(`${verb} manifest ${m.repositories?.join(', ')}@${m.digest}\n`)
      for (const b of report.blobs) process.stdout.write(`${verb} blob ${b.digest} (${formatBytes(b.bytes)})\n`)
      for (const k of report.kept) process.stdout.write(`${report.dryRun ? 'would keep' : 'kept'} ${k.kind} ${k.digest} (${formatBytes(k.bytes)}): ${k.reason}\n`)
      process.stdout.write(
        `${report.dryRun ? 'Dry run: would free' : 'Freed'} ${formatBytes(report.freedBytes)}: ${report.blobs.length} blobs, ${report.manifests.length} manifests; ${report.marked} referenced kept${report.kept.length ? `, ${report.kept.length} unreferenced kept for now (above)` : ''}.\n`
      )
    })

  program
    .command('verify')
    .description('Re-hash every blob; name corrupt or missing ones and the tags they break (exit 1 if any).')
    .addOption(dataOption())
    .option('--json', 'print the report as JSON')
    .action(async (opts: { data: string; json?: boolean }) => {
      const report = await withRegistryFolder(opts.data, (call) => call('storage.verify'))
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
      else {
        for (const p of report.problems) process.stdout.write(`${p.problem} ${p.digest}${p.tags.length ? ` (breaks ${p.tags.join(', ')})` : ''}\n`)
        process.stdout.write(`Checked ${report.checked} blobs (${formatBytes(report.bytes)}): ${report.problems.length ? `${report.problems.length} problems` : 'all good'}.\n`)
      }
      if (report.problems.length) process.exitCode = 1
    })

  program
    .command('delete-repo')
    .description('Delete a whole repository (tags and links); its blobs go at the next gc, or now with --collect.')
    .argument('<repository>', 'repository name, e.g. team/app')
    .addOption(dataOption())
    .option('--collect', 'run a garbage collection right after, freeing its blobs')
    .action(async (repository: string, opts: { data: string; collect?: boolean }) => {
      const problem = repositoryProblem(repository)
      if (problem) throw new BerthError('INVALID_INPUT', `"${repository}" cannot be deleted: ${problem}`)
      const { tags, freedBytes } = await withRegistryFolder(opts.data, async (call, dataDir) => {
        await refuseWhileServed(dataDir, 'delete it')
        return call('storage.deleteRepository', { repository, collect: opts.collect })
      })
      process.stdout.write(`Deleted ${repository} (${tags} tags)${opts.collect ? `; freed ${formatBytes(freedBytes)}` : ''}.\n`)
    })

  program
    .command('retention')
    .description('Delete old tags by rule: shows what would go, and deletes only with --yes.')
    .addOption(dataOption())
    .option('--repos <glob>', 'repositories the rule applies to (e.g. "team/*"); all by default')
    .option('--tags <glob>', 'tags it applies to (e.g. "pr-*"); all by default')
    .addOption(new Option('--keep-last <n>', 'keep the N most recently pushed matching tags per repository').argParser((v) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('a whole number.')
      return Number(v)
    }))
    .option('--older-than <date>', 'drop only tags pushed before this date (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)')
    .option('--yes', 'delete the tags listed (without it nothing is deleted)')
    .action(async (opts: { data: string; repos?: string; tags?: string; keepLast?: number; olderThan?: string; yes?: boolean }) => {
      const olderThan = opts.olderThan === undefined ? undefined : new Date(opts.olderThan)
      if (olderThan && Number.isNaN(olderThan.getTime())) throw new BerthError('INVALID_INPUT', `--older-than ${opts.olderThan} is not a date; use e.g. 2026-01-31.`)
      const parsed = RetentionRule.safeParse({ repositories: opts.repos, tags: opts.tags, keepLast: opts.keepLast, olderThan: olderThan?.toISOString() })
      if (!parsed.success) throw new BerthError('INVALID_INPUT', `${parsed.error.issues[0].message} (--keep-last, --older-than)`)
      await withRegistryFolder(opts.data, async (call, dataDir) => {
        const candidates = await call('storage.retentionPreview', parsed.data)
        for (const c of candidates) process.stdout.write(`${opts.yes ? 'delete' : 'would delete'} ${c.repository}:${c.tag} (pushed ${c.pushedAt}, ${c.digest})\n`)
        if (!opts.yes) return void process.stdout.write(`${candidates.length} tags would be deleted; run again with --yes to delete them.\n`)
        await refuseWhileServed(dataDir, 'apply retention')
        const { deleted, skipped } = await call('storage.retentionApply', { tags: candidates })
        process.stdout.write(`Deleted ${deleted} tags${skipped ? `, skipped ${skipped} that changed meanwhile` : ''}; run berth gc to free their blobs.\n`)
      })
    })

  program
    .command('volumes')
    .description('Docker volumes and bind mounts holding registry data (registry:2 volumes), and the containers using them.')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }) => {
      const volumes = await withFolder(defaultDataDir(), {}, (call) => call('storage.dockerVolumes'))
      if (opts.json) return void process.stdout.write(`${JSON.stringify(volumes, null, 2)}\n`)
      if (volumes.length === 0) return void process.stdout.write('No Docker volume holds registry data.\n')
      for (const v of volumes) {
        const users = v.containers.map((c) => `${c.name} (${c.image}, ${c.state})`).join(', ')
        process.stdout.write(
          `${v.kind} ${v.name}: ${v.repositories ?? '?'} repositories${v.mountpoint ? `; serve it with --data ${v.mountpoint}` : ' (not on this machine)'}${users ? `; used by ${users}` : ''}\n`
        )
      }
    })

  program
    .command('move')
    .description('Copy the data folder to <target>, verified; the original is kept (delete it yourself once happy).')
    .argument('<target>', 'new data folder (must not exist, or be empty)')
    .addOption(dataOption())
    .action(async (target: string, opts: { data: string }) => {
      const { from, to, bytes, files } = await withRegistryFolder(opts.data, async (call, dataDir) => {
        await refuseWhileServed(dataDir, 'move it')
        return call('storage.move', { target: resolve(target) })
      })
      process.stdout.write(`Copied ${files} files (${formatBytes(bytes)}) to ${to}, verified. Serve it with --data ${to}; ${from} is untouched.\n`)
    })
}
