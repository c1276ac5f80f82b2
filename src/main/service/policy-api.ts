import type { Logger } from 'pino'
import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import type { Policy, PolicyRun, PolicyStatus } from '@shared/model/policy'
import { freeSpace } from '../storage/core/free-space'
import { isLowSpace, loadPolicies, loadPolicyRuns, runPolicy, savePolicies, savePolicyRuns, type PolicyRuns } from '../storage/manage'
import type { EventBus } from './events'
import type { RegistryHost } from './registry-host'
import type { StorageBusy } from './storage-busy'

type PolicyMethods = { [M in keyof Api as M extends `policy.${string}` ? M : never]: Api[M] }

const HOUR_MS = 3_600_000
/** A low disk runs its policies at most this often: a collection that cannot free enough must not loop. */
export const LOW_DISK_COOLDOWN_MS = HOUR_MS

export interface PolicyDeps {
  bus: EventBus
  registry: RegistryHost
  busy: StorageBusy
  log: Logger
  /** Time, for tests. */
  now?: () => number
  /** The low-disk check, for tests (default: the data folder's volume, as storage usage says). */
  lowSpace?: (dataDir: string) => Promise<boolean>
}

export interface PolicyScheduler {
  /** Checks the policies every `tickMs` (unref'd: it never keeps the process alive). */
  start(tickMs: number): void
  stop(): void
  /** One check: runs what is due, one policy at a time; resolves when they ran. */
  tick(): Promise<void>
}

export function nextRunAt(policy: Policy, runs: PolicyRuns): string | null {
  if (!policy.enabled || policy.everyHours === null) return null
  const from = Date.parse(runs.ranAt[policy.id] ?? policy.createdAt)
  return new Date(from + policy.everyHours * HOUR_MS).toISOString()
}

/**
 * Saved storage policies and their scheduler. Policies are re-read from the data folder at every
 * check, so `berth policy add` from a shell reaches a running `serve`. A run takes the same lock as
 * the Storage view's long operations: a scheduled run waits for the next check when one is busy.
 */
export function createPolicyApi(deps: PolicyDeps): { api: PolicyMethods; scheduler: PolicyScheduler } {
  const now = deps.now ?? Date.now
  const lowSpace = deps.lowSpace ?? (async (dir: string) => {
    const room = await freeSpace(dir)
    return isLowSpace(room.freeBytes, room.totalBytes)
  })
  const lastLowDiskRun = new Map<string, number>()
  let ticking = false
  let timer: ReturnType<typeof setInterval> | null = null

  async function layout() {
    return (await deps.registry.storage()).layout
  }

  async function status(policy: Policy, runs: PolicyRuns): Promise<PolicyStatus> {
    return { ...policy, lastRun: runs.runs[policy.id] ?? null, nextRunAt: nextRunAt(policy, runs) }
  }

  async function find(id: string): Promise<Policy> {
    const policy = (await loadPolicies(await layout())).find((p) => p.id === id)
    if (!policy) throw new BerthError('NOT_FOUND', `There is no policy ${id}; policy.list (berth policy list) shows the saved ones.`, { id })
    return policy
  }

  async function run(policy: Policy, trigger: PolicyRun['trigger'], dryRun: boolean): Promise<PolicyRun> {
    const storage = await deps.registry.storage()
    const report = await deps.busy.exclusive('policy', (onProgress) => runPolicy(storage, policy, { dryRun, trigger, now: new Date(now()), onProgress }))
    const runs = await loadPolicyRuns(storage.layout)
    runs.runs[policy.id] = report
    if (!dryRun) runs.ranAt[policy.id] = report.startedAt
    await savePolicyRuns(storage.layout, runs)
    deps.bus.emit('policy.changed', { id: policy.id, reason: 'ran' })
    if (report.error) deps.log.warn({ policy: policy.id, trigger, error: report.error }, 'policy run failed')
    return report
  }

  const scheduler: PolicyScheduler = {
    start(tickMs) {
      if (timer || tickMs <= 0) return
      timer = setInterval(() => void scheduler.tick(), tickMs)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = null
    },
    async tick() {
      if (ticking || deps.busy.current()) return
      ticking = true
      try {
        const storage = await deps.registry.storage()
        const policies = (await loadPolicies(storage.layout)).filter((p) => p.enabled)
        const runs = await loadPolicyRuns(storage.layout)
        const t = now()
        const due: { policy: Policy; trigger: PolicyRun['trigger'] }[] = policies
          .filter((p) => {
            const next = nextRunAt(p, runs)
            return next !== null && Date.parse(next) <= t
          })
          .map((policy) => ({ policy, trigger: 'schedule' }))
        const lowDisk = policies.filter((p) => p.onLowDisk && !due.some((d) => d.policy.id === p.id) && t - (lastLowDiskRun.get(p.id) ?? -Infinity) >= LOW_DISK_COOLDOWN_MS)
        if (lowDisk.length > 0 && (await lowSpace(storage.layout.root)))
          for (const policy of lowDisk) {
            lastLowDiskRun.set(policy.id, t)
            due.push({ policy, trigger: 'low-disk' })
          }
        for (const { policy, trigger } of due) {
          if (deps.busy.current()) break
          await run(policy, trigger, false).catch((err) => deps.log.warn({ policy: policy.id, err: (err as Error).message }, 'policy did not run'))
        }
      } catch (err) {
        deps.log.warn({ err: (err as Error).message }, 'policies not checked')
      } finally {
        ticking = false
      }
    }
  }

  const api: PolicyMethods = {
    'policy.list': async () => {
      const l = await layout()
      const [policies, runs] = await Promise.all([loadPolicies(l), loadPolicyRuns(l)])
      return Promise.all(policies.map((p) => status(p, runs)))
    },
    'policy.save': async (input) => {
      const l = await layout()
      const policies = await loadPolicies(l)
      const existing = policies.find((p) => p.id === input.id)
      const policy: Policy = {
        id: input.id,
        name: input.name ?? input.id,
        enabled: input.enabled,
        retention: input.retention,
        gc: input.gc,
        everyHours: input.everyHours,
        onLowDisk: input.onLowDisk,
        createdAt: existing?.createdAt ?? new Date(now()).toISOString()
      }
      await savePolicies(l, existing ? policies.map((p) => (p.id === policy.id ? policy : p)) : [...policies, policy])
      deps.bus.emit('policy.changed', { id: policy.id, reason: 'saved' })
      return status(policy, await loadPolicyRuns(l))
    },
    'policy.remove': async ({ id }) => {
      const l = await layout()
      await find(id)
      await savePolicies(l, (await loadPolicies(l)).filter((p) => p.id !== id))
      const runs = await loadPolicyRuns(l)
      delete runs.runs[id]
      delete runs.ranAt[id]
      await savePolicyRuns(l, runs)
      deps.bus.emit('policy.changed', { id, reason: 'removed' })
      return { ok: true as const }
    },
    'policy.run': async ({ id, dryRun }) => run(await find(id), 'manual', dryRun ?? false)
  }
  return { api, scheduler }
}
