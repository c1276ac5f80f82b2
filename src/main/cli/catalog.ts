import { Command, Option } from 'commander'
import { BerthError } from '@shared/errors'
import { formatBytes } from '@shared/format'
import { splitImageReference } from '@shared/reference'
import { layoutOf } from '../storage/core/paths'
import { servingProcess } from '../storage/manage'
import { defaultDataDir } from '../config/data-dir'
import { withFolder } from './service-client'

// `berth ls | tags | inspect | rm`: the catalog for scripts, through the same contract methods the
// window calls; `--json` prints exactly what the method answers.

function dataOption(): Option {
  return new Option('-d, --data <dir>', 'data folder, in Distribution (registry:2) layout').default(defaultDataDir())
}

const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n'
}

/** `repo:tag` or `repo@sha256:…` (a registry host in front is dropped). */
function parseReference(text: string): { repository: string; reference: string } {
  const { repository, tag, digest } = splitImageReference(text)
  const reference = digest ?? tag
  if (!repository || !reference) throw new BerthError('INVALID_INPUT', `"${text}" names no tag or digest; use repo:tag or repo@sha256:….`)
  return { repository, reference }
}

export function addCatalogCommands(program: Command): void {
  program
    .command('ls')
    .description('List repositories (with a name: that repository and those under it, e.g. team/).')
    .argument('[repository]', 'a repository or namespace')
    .addOption(dataOption())
    .option('--json', 'print catalog.repositories\' answer as JSON')
    .action(async (name: string | undefined, opts: { data: string; json?: boolean }) => {
      const prefix = name?.replace(/\/+$/, '')
      const result = await withFolder(opts.data, { mustExist: true }, (call) => call('catalog.repositories', { filter: prefix, limit: 50_000 }))
      const items = prefix ? result.items.filter((r) => r.name === prefix || r.name.startsWith(`${prefix}/`)) : result.items
      if (opts.json) return print({ total: items.length, items })
      if (items.length === 0) return void process.stdout.write(prefix ? `No repository ${prefix} or under ${prefix}/.\n` : 'No repositories yet.\n')
      process.stdout.write(
        table([['REPOSITORY', 'TAGS', 'SIZE', 'UNIQUE', 'LAST PUSH'], ...items.map((r) => [r.name, String(r.tagCount), formatBytes(r.totalSize), formatBytes(r.uniqueSize), r.lastPush ?? '-'])])
      )
    })

  program
    .command('tags')
    .description('List the tags of a repository with digest, size, platforms and dates.')
    .argument('<repository>', 'e.g. team/app')
    .addOption(dataOption())
    .option('--json', 'print catalog.tags\' answer as JSON')
    .action(async (repository: string, opts: { data: string; json?: boolean }) => {
      const tags = await withFolder(opts.data, { mustExist: true }, (call) => call('catalog.tags', { repository }))
      if (opts.json) return print(tags)
      if (tags.length === 0) return void process.stdout.write(`${repository} has no tags.\n`)
      const platforms = (t: (typeof tags)[number]) => t.platforms.map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/')).join(',') || '-'
      process.stdout.write(table([['TAG', 'DIGEST', 'SIZE', 'PLATFORMS', 'CREATED', 'PUSHED'], ...tags.map((t) => [t.tag, t.digest, formatBytes(t.size), platforms(t), t.created ?? '-', t.pushedAt])]))
    })

  program
    .command('inspect')
    .description('One manifest in detail: layers, config, or an index\'s platforms.')
    .argument('<reference>', 'repo:tag or repo@sha256:…')
    .addOption(dataOption())
    .option('--json', 'print catalog.manifest\'s answer as JSON')
    .action(async (text: string, opts: { data: string; json?: boolean }) => {
      const { repository, reference } = parseReference(text)
      const m = await withFolder(opts.data, { mustExist: true }, (call) => call('catalog.manifest', { repository, reference }))
      if (opts.json) return print(m)
      const lines = [`${repository}@${m.digest}`, `Media type  ${m.mediaType} (${m.kind})`, `Tags        ${m.tags.join(', ') || '(none)'}`]
      if (m.image) lines.push(`Platform    ${[m.image.os, m.image.architecture, m.image.variant].filter(Boolean).join('/')}`, `Created     ${m.image.created ?? '-'}`)
      for (const l of m.layers) lines.push(`Layer       ${l.digest}  ${formatBytes(l.size)}`)
      for (const c of m.children) lines.push(`${c.attestation ? 'Attestation' : 'Platform   '} ${c.digest}  ${c.platform ? [c.platform.os, c.platform.architecture, c.platform.variant].filter(Boolean).join('/') : ''}`)
      process.stdout.write(`${lines.join('\n')}\n`)
    })

  program
    .command('rm')
    .description('Delete a tag (repo:tag), or a manifest with every tag on it (repo@sha256:…); blobs go at the next gc.')
    .argument('<reference>', 'repo:tag or repo@sha256:…')
    .addOption(dataOption())
    .option('--referrers', 'with a digest: also delete its signatures, SBOMs and attestations')
    .option('--json', 'print the method\'s answer as JSON')
    .action(async (text: string, opts: { data: string; referrers?: boolean; json?: boolean }) => {
      const { repository, reference } = parseReference(text)
      const byDigest = reference.includes(':')
      const result = await withFolder(opts.data, { mustExist: true }, async (call, dataDir) => {
        const serving = await servingProcess(layoutOf(dataDir))
        if (serving) throw new BerthError('CONFLICT', `A Berth registry (process ${serving.pid}, port ${serving.port}) is serving ${dataDir}; delete from its window or with its API (catalog.deleteTag), or stop it first.`)
        return byDigest ? call('catalog.deleteManifest', { repository, digest: reference, referrers: opts.referrers }) : call('catalog.deleteTag', { repository, tag: reference })
      })
      if (opts.json) return print(result)
      if (!byDigest) return void process.stdout.write(`Deleted tag ${repository}:${reference}.\n`)
      const r = result as unknown as { tags: string[]; referrers?: string[] }
      process.stdout.write(`Deleted ${repository}@${reference}${r.tags.length ? ` and its tags ${r.tags.join(', ')}` : ''}${r.referrers?.length ? `, with ${r.referrers.length} referrers` : ''}.\n`)
    })
}
