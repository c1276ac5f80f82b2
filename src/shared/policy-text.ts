import { formatBytes } from './format'
import type { Policy, PolicyRun } from './model/policy'

// A policy and its run in words, the same in the window and on the command line.

export function describePolicy(p: Pick<Policy, 'retention' | 'gc'>): string {
  const parts: string[] = []
  if (p.retention) {
    const r = p.retention
    const keep = [r.keepLast !== undefined ? `keep the last ${r.keepLast}` : null, r.olderThanDays ? `older than ${r.olderThanDays} days` : null].filter(Boolean).join(', ')
    parts.push(`retention ${r.repositories ?? '**'}:${r.tags ?? '*'} (${keep})`)
  }
  if (p.gc) parts.push(`collect${p.gc.untagged ? ' untagged manifests too' : ''}`)
  return parts.join(', then ')
}

export function describeSchedule(p: Pick<Policy, 'everyHours' | 'onLowDisk' | 'enabled'>): string {
  if (!p.enabled) return 'disabled'
  return [p.everyHours ? `every ${p.everyHours} h` : null, p.onLowDisk ? 'when the disk runs low' : null].filter(Boolean).join(' and ') || 'by hand only'
}

export function describeRun(run: PolicyRun): string {
  if (run.error) return `failed: ${run.error}`
  const parts: string[] = []
  if (run.retention) parts.push(`${run.dryRun ? 'would delete' : 'deleted'} ${run.dryRun ? run.retention.candidates : run.retention.deleted} tags${run.retention.skipped ? ` (${run.retention.skipped} skipped)` : ''}`)
  if (run.gc) parts.push(`${run.dryRun ? 'would free' : 'freed'} ${formatBytes(run.gc.freedBytes)} (${run.gc.blobs} blobs, ${run.gc.manifests} manifests)`)
  return parts.join('; ') || 'nothing to do'
}
