import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { startService } from '../helpers/service-harness'

// The engine's push names a mounted or existing layer without a size; the transfer says what each layer
// weighs in the registry all the same, from the manifest it stored.

const RUN = `${process.pid}`

describeWith({ docker: true }, 'transfer sizes: mounted and existing layers with their stored sizes', () => {
  let s: Awaited<ReturnType<typeof startService>>
  const localRefs: string[] = []

  beforeAll(async () => {
    s = await startService()
  })

  afterAll(async () => {
    await s?.service.dispose()
    for (const ref of localRefs) await run('docker', ['rmi', '-f', ref]).catch(() => {})
    if (s) await rm(s.dataDir, { recursive: true, force: true })
  })

  const bySize = (sizes: (number | null)[]) => sizes.map((n) => n ?? -1).sort((a, b) => a - b)

  async function push(image: string, repository: string) {
    const { transferId, reference } = await s.call('docker.push', { image, repository, tag: '1' })
    localRefs.push(reference)
    const end = await s.finished(transferId)
    expect(end.state).toBe('done')
    return end
  }

  it('a second push sharing a base layer with another repository gives a mounted layer with its real size', async () => {
    const first = await buildImage(`berth-it-sizes/first:${RUN}`, { layers: 1, layerBytes: 64 * 1024 })
    const second = await buildImage(`berth-it-sizes/second:${RUN}`, { layers: 1, layerBytes: 32 * 1024 })
    localRefs.push(first, second)
    await push(first, 'sizes/first')
    const end = await push(second, 'sizes/second')

    const stored = await s.call('catalog.manifest', { repository: 'sizes/second', reference: '1' })
    expect(end.digest).toBe(stored.digest)
    // The base (busybox, the manifest's first layer) came from sizes/first: mounted, its blob's size known.
    const mounted = end.layers.filter((l) => l.phase === 'mounted')
    expect(mounted).toHaveLength(1)
    expect(mounted[0].size).toBe(stored.layers[0].size)
    expect(mounted[0].size).toBeGreaterThan(100_000)
    // Every layer, sent or mounted, weighs what the registry stores (compressed), whatever the engine counted.
    expect(bySize(end.layers.map((l) => l.size))).toEqual(bySize(stored.layers.map((l) => l.size)))
    const [tag] = await s.call('catalog.tags', { repository: 'sizes/second' })
    expect(end.imageBytes).toBe(tag.size)

    // The same image again: every layer already there, each with its size.
    const again = await push(second, 'sizes/second')
    expect(again.layers.every((l) => l.phase === 'exists')).toBe(true)
    expect(bySize(again.layers.map((l) => l.size))).toEqual(bySize(stored.layers.map((l) => l.size)))
  })
})
