import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseDigest, type Digest } from '@shared/reference'
import { listDir, listEntries, mapLimit } from '../core/files'
import { paths } from '../core/paths'
import type { TagInfo } from '../core/repositories'
import { findRepositories } from '../core/repository-walk'
import type { Storage } from '../index'
import type { Inspector } from './inspect'

// A full, fresh read of the tree (never the caches): what the collector, the usage picture and
// verify work from. Cost is one readdir per folder and one small read per link.

export interface RepositoryScan {
  name: string
  tags: TagInfo[]
  revisions: Digest[]
  layers: Digest[]
}

export interface StoredBlob {
  digest: Digest
  size: number
}

export type ProgressFn = (p: { phase: string; done: number; total: number | null; item?: string }) => void

export async function scanRepositories(storage: Storage, onProgress?: ProgressFn): Promise<RepositoryScan[]> {
  const names = (await findRepositories(storage.layout.repositories)).sort()
  let done = 0
  return mapLimit(names, 8, async (name) => {
    const tagNames = await listDir(paths.tagsDir(storage.layout, name))
    const [tags, revisions, layers] = await Promise.all([
      Promise.all(tagNames.map((t) => storage.repos.tagInfo(name, t))),
      storage.repos.revisions(name),
      storage.repos.linkedLayers(name)
    ])
    onProgress?.({ phase: 'reading repositories', done: ++done, total: names.length, item: name })
    return { name, tags: tags.filter((t): t is TagInfo => t !== null), revisions, layers }
  })
}

/** Every blob in `blobs/<alg>/<hh>/<hex>/data`, with its size. Stray files are not blobs. */
export async function listBlobs(storage: Storage): Promise<Map<string, StoredBlob>> {
  const out = new Map<string, StoredBlob>()
  const root = storage.layout.blobs
  for (const algorithm of await listDir(root)) {
    const prefixes = await listDir(join(root, algorithm))
    await mapLimit(prefixes, 16, async (prefix) => {
      for (const hex of await listDir(join(root, algorithm, prefix))) {
        const digest = parseDigest(`${algorithm}:${hex}`)
        if (typeof digest !== 'object' || !hex.startsWith(prefix)) continue
        const st = await stat(join(root, algorithm, prefix, hex, 'data')).catch(() => null)
        if (st?.isFile()) out.set(digest.value, { digest, size: st.size })
      }
    })
  }
  return out
}

export interface Reachability {
  /** Every digest (manifests, configs, layers) kept alive, across all repositories. */
  marked: Set<string>
  /** Per repository, the manifest revisions that are kept. */
  keptRevisions: Map<string, Set<string>>
}

/**
 * The mark phase. Roots are every tag (following indexes to each child, recursively), or, unless
 * `untagged`, every manifest revision. With `untagged` and `referrers`, a revision whose subject is
 * kept is kept too (signatures, SBOMs, attestations), until nothing more joins.
 */
export async function markReachable(
  inspector: Inspector,
  repositories: RepositoryScan[],
  options: { untagged: boolean; referrers: boolean },
  onProgress?: ProgressFn
): Promise<Reachability> {
  const marked = new Set<string>()
  const keptRevisions = new Map<string, Set<string>>()
  let done = 0
  for (const repo of repositories) {
    const kept = new Map<string, number>()
    const roots = options.untagged ? repo.tags.map((t) => t.digest) : repo.revisions
    for (const root of roots) await inspector.reach(root, kept)
    if (options.untagged && options.referrers) {
      let grew = true
      while (grew) {
        grew = false
        for (const revision of repo.revisions) {
          if (kept.has(revision.value)) continue
          const subject = (await inspector.manifest(revision))?.subject?.digest
          if (subject && kept.has(subject)) {
            await inspector.reach(revision, kept)
            grew = true
          }
        }
      }
    }
    for (const d of kept.keys()) marked.add(d)
    keptRevisions.set(repo.name, new Set(repo.revisions.filter((r) => kept.has(r.value)).map((r) => r.value)))
    onProgress?.({ phase: 'marking', done: ++done, total: repositories.length, item: repo.name })
  }
  return { marked, keptRevisions }
}

/** Bytes of every file below `dir` (what the folder costs on disk, roughly: no block rounding). */
export async function folderBytes(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0
  let files = 0
  async function visit(d: string): Promise<void> {
    const entries = await listEntries(d)
    await Promise.all(
      entries.map(async (e) => {
        const p = join(d, e.name)
        if (e.isDirectory()) return visit(p)
        if (!e.isFile()) return
        const st = await stat(p).catch(() => null)
        if (st) {
          bytes += st.size
          files++
        }
      })
    )
  }
  await visit(dir)
  return { bytes, files }
}
