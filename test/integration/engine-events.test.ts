import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BASE_IMAGE, ensureBaseImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { startService } from '../helpers/service-harness'

// Local images update live (issue 14, defect 8): the service follows the engine's /events stream and
// says docker.imagesChanged when anyone tags, untags or deletes an image — no refresh button.

const TAG = 'berth-ux-events:live'

describeWith({ docker: true }, 'the engine’s image events', () => {
  let s: Awaited<ReturnType<typeof startService>>
  beforeAll(async () => {
    await ensureBaseImage()
    s = await startService({ startRegistry: false })
  })
  afterAll(async () => {
    execFileSync('docker', ['rmi', '--force', TAG], { stdio: 'ignore' })
    await s?.service.dispose()
    if (s) await rm(s.dataDir, { recursive: true, force: true })
  })

  it('`docker tag` in a terminal: docker.imagesChanged arrives, and docker.images lists the new tag', async () => {
    // The engine is found and its events followed (the watch's first tick); give the stream a moment, then act.
    await expect.poll(async () => (await s.call('docker.status')).reachable, { timeout: 20_000 }).toBe(true)
    await new Promise((r) => setTimeout(r, 1000))
    const since = s.mark()
    execFileSync('docker', ['tag', BASE_IMAGE, TAG])
    await expect.poll(() => s.events('docker.imagesChanged', since).flatMap((e) => e.actions), { timeout: 15_000 }).toContain('tag')
    expect((await s.call('docker.images')).some((i) => i.tags.includes(TAG))).toBe(true)

    const untagSince = s.mark()
    execFileSync('docker', ['rmi', TAG], { stdio: 'ignore' })
    await expect.poll(() => s.events('docker.imagesChanged', untagSince).flatMap((e) => e.actions), { timeout: 15_000 }).toContain('untag')
    expect((await s.call('docker.images')).some((i) => i.tags.includes(TAG))).toBe(false)
  })
})
