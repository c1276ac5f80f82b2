import { mkdir, mkdtemp, rename, rmdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { layoutOf } from './paths'
import { RootWatch, StorageUnavailableError } from './root-watch'

async function watched() {
  const root = join(await mkdtemp(join(tmpdir(), 'berth-root-')), 'data')
  const layout = layoutOf(root)
  await mkdir(layout.v2, { recursive: true })
  const watch = new RootWatch(layout)
  await watch.record()
  const events: string[] = []
  watch.onChange((problem, event) => events.push(problem ? `${event}:${problem.reason}` : event))
  return { root, layout, watch, events }
}

describe('the data folder watch', () => {
  it('sees the folder moved away, an empty folder in its place, and the folder moved back', async () => {
    const { root, watch, events } = await watched()
    expect(await watch.check()).toBeNull()
    await rename(root, `${root}-away`)
    expect(await watch.check()).toMatchObject({ reason: 'missing', message: expect.stringContaining(`${root} is gone`) })
    await expect(watch.ensure()).rejects.toBeInstanceOf(StorageUnavailableError)
    // Someone (or something) made the path again, empty: still not the registry.
    await mkdir(root)
    expect(await watch.check()).toMatchObject({ reason: 'not-a-registry' })
    await rmdir(root)
    await rename(`${root}-away`, root)
    expect(await watch.check()).toBeNull()
    await watch.ensure()
    expect(events).toEqual(['gone:missing', 'gone:not-a-registry', 'back'])
  })

  it('adopts another registry tree put at the same path (a copy moved back, a disk mounted again) and says so', async () => {
    const { root, layout, watch, events } = await watched()
    await rename(root, `${root}-old`)
    await mkdir(layout.v2, { recursive: true })
    expect(await watch.check()).toBeNull()
    expect(events).toEqual(['back'])
    // Checked again, the new tree is the folder now: no further change.
    expect(await watch.check()).toBeNull()
    expect(events).toEqual(['back'])
  })

  it('watches on a timer that never keeps the process alive', async () => {
    const { root, watch, events } = await watched()
    watch.watch(20)
    await rename(root, `${root}-away`)
    await expect.poll(() => events, { timeout: 2000 }).toEqual(['gone:missing'])
    watch.stop()
  })
})
