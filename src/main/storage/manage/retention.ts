import type { RetentionCandidate, RetentionRule } from '@shared/model/storage'
import type { Storage } from '../index'
import { scanRepositories } from './scan'

/** A shell-style pattern: `*` any run within a path segment, `**` any run, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*'
      i++
    } else if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${out}$`)
}

/**
 * The tags a rule would delete. Per repository (matching `repositories`), the tags matching `tags`
 * are ordered newest push first; with `keepLast` the first N are always kept, with `olderThan` only
 * tags pushed before that time go; with both, a tag goes when it is beyond the N newest AND old.
 */
export async function retentionCandidates(storage: Storage, rule: RetentionRule): Promise<RetentionCandidate[]> {
  const repoPattern = globToRegExp(rule.repositories ?? '**')
  const tagPattern = globToRegExp(rule.tags ?? '*')
  const before = rule.olderThan ? new Date(rule.olderThan).getTime() : null
  const out: RetentionCandidate[] = []
  for (const repo of await scanRepositories(storage)) {
    if (!repoPattern.test(repo.name)) continue
    const tags = repo.tags.filter((t) => tagPattern.test(t.tag)).sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime() || (a.tag < b.tag ? -1 : 1))
    tags.forEach((t, i) => {
      const beyondKept = rule.keepLast === undefined || i >= rule.keepLast
      const old = before === null || t.pushedAt.getTime() < before
      if (beyondKept && old) out.push({ repository: repo.name, tag: t.tag, digest: t.digest.value, pushedAt: t.pushedAt.toISOString() })
    })
  }
  return out
}

/**
 * Deletes exactly the previewed tags, each only while it still points at the previewed digest; the
 * change feed hears one change per repository.
 */
export function applyRetention(storage: Storage, tags: RetentionCandidate[]): Promise<{ deleted: number; skipped: number }> {
  return storage.changes.coalesce('retention', async () => {
    let deleted = 0
    let skipped = 0
    for (const t of tags) {
      const current = await storage.repos.resolveTag(t.repository, t.tag)
      if (current?.value !== t.digest || !(await storage.repos.untag(t.repository, t.tag))) skipped++
      else deleted++
    }
    return { deleted, skipped }
  })
}
