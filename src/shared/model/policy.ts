import { z } from 'zod'

// Storage policies: a retention rule and/or a garbage collection, saved, run on a schedule and when
// the disk runs low; the last run of each is kept with its report.

export const PolicyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'A policy id is lowercase letters, digits and "-", e.g. nightly-cleanup.')

export const PolicyRetention = z
  .object({
    /** Repositories it applies to (glob, e.g. `team/*`); all when absent. */
    repositories: z.string().min(1).max(256).optional(),
    /** Tags it applies to (glob, e.g. `pr-*`); all when absent. */
    tags: z.string().min(1).max(256).optional(),
    /** Keep the N most recently pushed matching tags per repository. */
    keepLast: z.number().int().min(0).max(100_000).optional(),
    /** Drop matching tags pushed more than this many days before the run. */
    olderThanDays: z.number().int().min(1).max(36_500).optional()
  })
  .strict()
  .refine((r) => r.keepLast !== undefined || r.olderThanDays !== undefined, 'Say what a retention rule drops: keepLast, olderThanDays, or both.')
export type PolicyRetention = z.infer<typeof PolicyRetention>

export const PolicyGc = z
  .object({
    /** Also delete manifests no tag reaches. */
    untagged: z.boolean().default(false),
    /** With `untagged`: keep signatures, SBOMs and attestations of kept images. */
    referrers: z.boolean().default(true)
  })
  .strict()

export const PolicyInput = z
  .object({
    id: PolicyId,
    /** For people; the id when absent. */
    name: z.string().min(1).max(120).optional(),
    enabled: z.boolean().default(true),
    retention: PolicyRetention.nullable().default(null),
    gc: PolicyGc.nullable().default(null),
    /** Run every N hours (null: only by hand or on low disk). */
    everyHours: z.number().int().min(1).max(24 * 366).nullable().default(null),
    /** Also run when the data folder's disk runs low (at most once an hour). */
    onLowDisk: z.boolean().default(false)
  })
  .strict()
  .refine((p) => p.retention !== null || p.gc !== null, 'A policy does something: a retention rule, a garbage collection, or both.')

export const Policy = z.object({
  id: PolicyId,
  name: z.string(),
  enabled: z.boolean(),
  retention: PolicyRetention.nullable(),
  gc: z.object({ untagged: z.boolean(), referrers: z.boolean() }).nullable(),
  everyHours: z.number().int().nullable(),
  onLowDisk: z.boolean(),
  createdAt: z.string()
})
export type Policy = z.infer<typeof Policy>

export const PolicyTrigger = z.enum(['manual', 'schedule', 'low-disk'])

export const PolicyRun = z.object({
  policy: PolicyId,
  trigger: PolicyTrigger,
  dryRun: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Tags the rule dropped (or would), the first 200 named. */
  retention: z
    .object({ candidates: z.number().int(), deleted: z.number().int(), skipped: z.number().int(), tags: z.array(z.string()) })
    .nullable(),
  gc: z.object({ blobs: z.number().int(), manifests: z.number().int(), freedBytes: z.number(), protected: z.number().int() }).nullable(),
  /** Why it stopped, for people; null when it ran through. */
  error: z.string().nullable()
})
export type PolicyRun = z.infer<typeof PolicyRun>

export const PolicyStatus = Policy.extend({
  lastRun: PolicyRun.nullable(),
  /** When the schedule runs it next (null: not scheduled, or disabled). */
  nextRunAt: z.string().nullable()
})
export type PolicyStatus = z.infer<typeof PolicyStatus>
