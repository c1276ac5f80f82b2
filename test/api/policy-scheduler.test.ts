import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { EventBus } from '../../src/main/service/events'
import { createPolicyApi, LOW_DISK_COOLDOWN_MS } from '../../src/main/service/policy-api'
import type { RegistryHost } from '../../src/main/service/registry-host'
import { createStorageBusy } from '../../src/main/service/storage-busy'
import { startBerth, type RunningBerth } from '../helpers/berth'
import { putManifest } from '../helpers/oci-push'
import { pushImage } from '../helpers/supply-chain'

// The policy scheduler on a real data folder, with time and the disk's state in the test's hands:
// a due policy runs once, one at a time, through the storage lock; a low disk runs its policies at
// most once an hour; a busy storage makes it wait for the next check.

describe('the policy scheduler', () => {
  let b: RunningBerth
  let t = Date.parse('2026-12-01T00:00:00Z')
  let low = false
  const bus = new EventBus()
  const changes: string[] = []
  bus.on('policy.changed', (c) => changes.push(`${c.id}:${c.reason}`))
  const busy = createStorageBusy(bus)
  let policies: ReturnType<typeof createPolicyApi>

  beforeAll(async () => {
    b = await startBerth()
    const image = await pushImage(b.url, 'ci/app', 'pr-0')
    const bytes = JSON.parse(await (await fetch(`${b.url}/v2/ci/app/manifests/pr-0`)).text())
    for (let i = 1; i < 6; i++) await putManifest(b.url, 'ci/app', `pr-${i}`, image.mediaType, bytes)
    const registry = { storage: async () => b.storage } as unknown as RegistryHost
    policies = createPolicyApi({ bus, registry, busy, log: pino({ level: 'silent' }), now: () => t, lowSpace: async () => low })
  })
  afterAll(async () => {
    await b?.close()
  })

  it('runs a policy when its hours have passed, and records the run', async () => {
    await policies.api['policy.save']({ id: 'prs', enabled: true, retention: { tags: 'pr-*', keepLast: 4 }, gc: null, everyHours: 6, onLowDisk: false })
    const [saved] = await policies.api['policy.list'](undefined)
    expect(saved.nextRunAt).toBe('2026-12-01T06:00:00.000Z')
    t += 5 * 3_600_000
    await policies.scheduler.tick()
    expect((await policies.api['policy.list'](undefined))[0].lastRun).toBeNull()
    t += 3_600_000
    await policies.scheduler.tick()
    const [after] = await policies.api['policy.list'](undefined)
    expect(after.lastRun).toMatchObject({ trigger: 'schedule', dryRun: false, retention: { candidates: 2, deleted: 2 } })
    expect(after.nextRunAt).toBe('2026-12-01T12:00:00.000Z')
    expect((await b.storage.repos.tags('ci/app'))?.length).toBe(4)
    expect(changes).toEqual(['prs:saved', 'prs:ran'])
    // A dry run by hand is reported but does not move the schedule.
    await policies.api['policy.run']({ id: 'prs', dryRun: true })
    expect((await policies.api['policy.list'](undefined))[0]).toMatchObject({ lastRun: { trigger: 'manual', dryRun: true }, nextRunAt: '2026-12-01T12:00:00.000Z' })
  })

  it('waits while another storage operation runs', async () => {
    t += 6 * 3_600_000
    let release = () => {}
    const blocking = busy.exclusive('gc', () => new Promise<void>((r) => (release = r)))
    await policies.scheduler.tick()
    expect((await policies.api['policy.list'](undefined))[0].lastRun?.trigger).toBe('manual')
    await expect(policies.api['policy.run']({ id: 'prs' })).rejects.toMatchObject({ code: 'CONFLICT' })
    release()
    await blocking
    await policies.scheduler.tick()
    expect((await policies.api['policy.list'](undefined))[0].lastRun?.trigger).toBe('schedule')
  })

  it('runs low-disk policies when the disk runs low, at most once an hour', async () => {
    await policies.api['policy.save']({ id: 'room', enabled: true, retention: null, gc: { untagged: true, referrers: true }, everyHours: null, onLowDisk: true })
    await policies.scheduler.tick()
    expect((await policies.api['policy.list'](undefined)).find((p) => p.id === 'room')!.lastRun).toBeNull()
    low = true
    await policies.scheduler.tick()
    const first = (await policies.api['policy.list'](undefined)).find((p) => p.id === 'room')!.lastRun!
    expect(first).toMatchObject({ trigger: 'low-disk', gc: { protected: expect.any(Number) } })
    t += LOW_DISK_COOLDOWN_MS / 2
    await policies.scheduler.tick()
    expect((await policies.api['policy.list'](undefined)).find((p) => p.id === 'room')!.lastRun!.startedAt).toBe(first.startedAt)
    t += LOW_DISK_COOLDOWN_MS / 2
    await policies.scheduler.tick()
    expect((await policies.api['policy.list'](undefined)).find((p) => p.id === 'room')!.lastRun!.startedAt).not.toBe(first.startedAt)
  })

  it('refuses a policy that does nothing, and an unknown one', async () => {
    const { PolicyInput } = await import('../../src/shared/model/policy')
    expect(PolicyInput.safeParse({ id: 'x', retention: null, gc: null }).success).toBe(false)
    expect(PolicyInput.safeParse({ id: 'Bad Id', gc: {} }).success).toBe(false)
    await expect(policies.api['policy.remove']({ id: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
