import type { Policy, PolicyRun } from '@shared/model/policy'
import type { RetentionRule } from '@shared/model/storage'
import type { Storage } from '../index'
import { collectGarbage } from './gc'
import { applyRetention, retentionCandidates } from './retention'
import type { ProgressFn } from './scan'

const DAY_MS = 86_400_000
const TAGS_NAMED = 200

/**
 * Runs a policy once: its retention rule (tags pushed before `now − olderThanDays`, beyond the
 * `keepLast` newest), then its collection. A dry run changes nothing and reports what would go; its
 * collection counts what is unreferenced now (the rule's tags are still there).
 */
export async function runPolicy(
  storage: Storage,
  policy: Policy,
  options: { dryRun?: boolean; trigger: PolicyRun['trigger']; now?: Date; onProgress?: ProgressFn }
): Promise<PolicyRun> {
  const dryRun = options.dryRun ?? false
  const now = options.now ?? new Date()
  const run: PolicyRun = { policy: policy.id, trigger: options.trigger, dryRun, startedAt: now.toISOString(), finishedAt: now.toISOString(), retention: null, gc: null, error: null }
  try {
    if (policy.retention) {
      const { repositories, tags, keepLast, olderThanDays } = policy.retention
      const rule: RetentionRule = { repositories, tags, keepLast, ...(olderThanDays ? { olderThan: new Date(now.getTime() - olderThanDays * DAY_MS).toISOString() } : {}) }
      options.onProgress?.({ phase: 'choosing tags', done: 0, total: null })
      const candidates = await retentionCandidates(storage, rule)
      const applied = dryRun ? { deleted: 0, skipped: 0 } : await applyRetention(storage, candidates)
      run.retention = { candidates: candidates.length, ...applied, tags: candidates.slice(0, TAGS_NAMED).map((c) => `${c.repository}:${c.tag}`) }
    }
    if (policy.gc) {
      const report = await collectGarbage(storage, { dryRun, untagged: policy.gc.untagged, referrers: policy.gc.referrers }, options.onProgress)
      run.gc = { blobs: report.blobs.length, manifests: report.manifests.length, freedBytes: report.freedBytes, protected: report.protected }
    }
  } catch (err) {
    run.error = (err as Error).message
  }
  run.finishedAt = new Date().toISOString()
  return run
}
