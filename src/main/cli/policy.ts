import { Command, InvalidArgumentError, Option } from 'commander'
import { BerthError } from '@shared/errors'
import { describeRun } from '@shared/policy-text'
import type { PolicyRun } from '@shared/model/policy'
import { layoutOf } from '../storage/core/paths'
import { servingProcess } from '../storage/manage'
import { defaultDataDir } from '../config/data-dir'
import { withFolder } from './service-client'

// `berth policy list | add | remove | run`: storage policies (retention and collection on a
// schedule), saved in <data>/berth/policies.json through the service, as the Storage view saves them.

function whole(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('a whole number.')
  return Number(v)
}

function dataOption(): Option {
  return new Option('-d, --data <dir>', 'data folder, in Distribution (registry:2) layout').default(defaultDataDir())
}

function runLine(run: PolicyRun): string {
  return `${run.startedAt} ${run.trigger}${run.dryRun ? ' dry run' : ''}: ${describeRun(run)}`
}

export function addPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('Storage policies: retention rules and garbage collection, on a schedule and when the disk runs low.')

  policy
    .command('list')
    .description('The saved policies, their last run and when they run next.')
    .addOption(dataOption())
    .option('--json', 'print policy.list\'s answer as JSON')
    .action(async (opts: { data: string; json?: boolean }) => {
      const list = await withFolder(opts.data, { mustExist: true }, (call) => call('policy.list'))
      if (opts.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`)
      if (list.length === 0) return void process.stdout.write('No policies; add one with berth policy add.\n')
      for (const p of list) {
        const what = [
          p.retention ? `retention ${p.retention.repositories ?? '**'}:${p.retention.tags ?? '*'}${p.retention.keepLast !== undefined ? ` keep ${p.retention.keepLast}` : ''}${p.retention.olderThanDays ? ` older than ${p.retention.olderThanDays}d` : ''}` : null,
          p.gc ? `gc${p.gc.untagged ? ' --untagged' : ''}` : null
        ].filter(Boolean)
        const when = [p.everyHours ? `every ${p.everyHours}h` : null, p.onLowDisk ? 'on low disk' : null].filter(Boolean).join(', ') || 'by hand'
        process.stdout.write(`${p.id}${p.enabled ? '' : ' (disabled)'}: ${what.join(' + ')}; ${when}${p.nextRunAt ? `; next ${p.nextRunAt}` : ''}\n`)
        if (p.lastRun) process.stdout.write(`  last: ${runLine(p.lastRun)}\n`)
      }
    })

  policy
    .command('add')
    .description('Save a policy (an existing id is replaced).')
    .argument('<id>', 'lowercase letters, digits and "-", e.g. nightly')
    .addOption(dataOption())
    .option('--name <text>', 'a name for people')
    .option('--repos <glob>', 'retention: repositories it applies to (e.g. "team/*")')
    .option('--tags <glob>', 'retention: tags it applies to (e.g. "pr-*")')
    .addOption(new Option('--keep-last <n>', 'retention: keep the N most recently pushed matching tags per repository').argParser(whole))
    .addOption(new Option('--older-than-days <n>', 'retention: drop matching tags pushed more than N days before the run').argParser(whole))
    .option('--gc', 'collect garbage after (or without) the retention rule')
    .option('--untagged', 'with --gc: also delete manifests no tag reaches')
    .option('--no-referrers', 'with --untagged: do not keep signatures, SBOMs and attestations of kept images')
    .addOption(new Option('--every <hours>', 'run every N hours').argParser(whole))
    .option('--on-low-disk', 'also run when the data folder\'s disk runs low')
    .option('--disabled', 'save it without running it on its schedule')
    .action(async (id: string, opts: { data: string; name?: string; repos?: string; tags?: string; keepLast?: number; olderThanDays?: number; gc?: boolean; untagged?: boolean; referrers: boolean; every?: number; onLowDisk?: boolean; disabled?: boolean }) => {
      const hasRule = opts.keepLast !== undefined || opts.olderThanDays !== undefined
      if (!hasRule && (opts.repos || opts.tags)) throw new BerthError('INVALID_INPUT', 'A retention rule says what it drops: add --keep-last, --older-than-days, or both.')
      const saved = await withFolder(opts.data, { mustExist: true }, (call) =>
        call('policy.save', {
          id,
          name: opts.name,
          enabled: !opts.disabled,
          retention: hasRule ? { repositories: opts.repos, tags: opts.tags, keepLast: opts.keepLast, olderThanDays: opts.olderThanDays } : null,
          gc: opts.gc ? { untagged: opts.untagged ?? false, referrers: opts.referrers } : null,
          everyHours: opts.every ?? null,
          onLowDisk: opts.onLowDisk ?? false
        })
      )
      process.stdout.write(`Saved policy ${saved.id}${saved.nextRunAt ? `; it runs next at ${saved.nextRunAt} (while Berth runs)` : ''}.\n`)
    })

  policy
    .command('remove')
    .description('Remove a policy and its last report.')
    .argument('<id>')
    .addOption(dataOption())
    .action(async (id: string, opts: { data: string }) => {
      await withFolder(opts.data, { mustExist: true }, (call) => call('policy.remove', { id }))
      process.stdout.write(`Removed policy ${id}.\n`)
    })

  policy
    .command('run')
    .description('Run a policy now (a dry run lists what it would drop and free).')
    .argument('<id>')
    .addOption(dataOption())
    .option('--dry-run', 'change nothing')
    .option('--json', 'print the run\'s report as JSON')
    .action(async (id: string, opts: { data: string; dryRun?: boolean; json?: boolean }) => {
      const run = await withFolder(opts.data, { mustExist: true }, async (call, dataDir) => {
        const serving = opts.dryRun ? null : await servingProcess(layoutOf(dataDir))
        if (serving) throw new BerthError('CONFLICT', `A Berth registry (process ${serving.pid}, port ${serving.port}) is serving ${dataDir}; run the policy from its window (it works while serving), or stop it first.`)
        return call('policy.run', { id, dryRun: opts.dryRun })
      })
      if (opts.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`)
      else {
        for (const t of run.retention?.tags ?? []) process.stdout.write(`${run.dryRun ? 'would delete' : 'deleted'} ${t}\n`)
        process.stdout.write(`${runLine(run)}\n`)
      }
      if (run.error) process.exitCode = 1
    })
}
