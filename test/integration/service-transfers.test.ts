import { rm } from 'node:fs/promises'
import { createServer as createNetServer, type Server } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { dispatch } from '../../src/main/service/dispatch'
import { freePort } from '../helpers/distribution'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { startService } from '../helpers/service-harness'

// The service behind the contract, over the real embedded registry and the real Docker engine.
// Every call goes through dispatch(), so inputs are validated exactly as over IPC and HTTP.

const RUN = `${process.pid}`

describeWith({ docker: true }, 'the service: cancelled pushes, CLI pushes, the registry lifecycle', () => {
  let s: Awaited<ReturnType<typeof startService>>
  let pullHost: string
  let image: string
  /** Local tags and containers to remove at the end, whatever happened. */
  const localRefs: string[] = []
  const containers: string[] = []
  const message = `hello from the service test ${RUN}`

  beforeAll(async () => {
    s = await startService()
    pullHost = (await s.call('registry.status')).pullHost
    image = await buildImage(`berth-it-svc/app:${RUN}`, { layers: 3, layerBytes: 1024 * 1024, message })
    localRefs.push(image)
    // The lifecycle tests browse svc/app:1 while the registry is stopped.
    const { transferId, reference } = await s.call('docker.push', { image, repository: 'svc/app', tag: '1' })
    localRefs.push(reference)
    // (expect.poll belongs to tests, not hooks: wait by hand.)
    for (let i = 0; i < 600 && s.progress(transferId).at(-1)?.state === 'running'; i++) await new Promise((r) => setTimeout(r, 100))
    if (s.progress(transferId).at(-1)?.state !== 'done') throw new Error(`the setup push ended ${s.progress(transferId).at(-1)?.state}`)
  })

  afterAll(async () => {
    for (const c of containers) await run('docker', ['rm', '-f', c]).catch(() => {})
    await s?.service.dispose()
    for (const ref of localRefs) await run('docker', ['rmi', '-f', ref]).catch(() => {})
    if (s) await rm(s.dataDir, { recursive: true, force: true })
  })

  it('transfers.cancel stops a running push of a big image', async () => {
    const big = await buildImage(`berth-it-svc/big:${RUN}`, { layers: 4, layerBytes: 32 * 1024 * 1024, message: 'big' })
    localRefs.push(big)
    const { transferId, reference } = await s.call('docker.push', { image: big, repository: 'svc/big', tag: '1' })
    localRefs.push(reference)
    // Cancel once bytes are moving, so this is a cancel in the middle of a push.
    await expect.poll(() => s.progress(transferId).some((t) => t.layers.some((l) => l.phase === 'uploading')), { timeout: 60_000, interval: 20 }).toBe(true)
    expect(s.service.transfers.get(transferId)?.state).toBe('running')
    expect(await s.call('transfers.cancel', { id: transferId })).toEqual({ ok: true })
    const end = await s.finished(transferId, 30_000)
    expect(end.state).toBe('cancelled')
    expect(end.error).toEqual({ code: 'CANCELLED', message: 'Cancelled.' })
    expect(end.overall.percent).toBeLessThan(100)
    expect((await s.call('transfers.list')).find((t) => t.id === transferId)?.state).toBe('cancelled')
    // Nothing was tagged in the registry.
    const tags = await dispatch(s.service.api, 'catalog.tags', { repository: 'svc/big' })
    if (tags.ok) expect(tags.result).toEqual([])
    else expect(tags.error.code).toBe('NOT_FOUND')
    // Cancelling again, or something unknown, is NOT_FOUND.
    expect((await s.fail('transfers.cancel', { id: transferId })).code).toBe('NOT_FOUND')
    expect((await s.fail('transfers.cancel', { id: 'no-such-transfer' })).message).toMatch(/No running transfer no-such-transfer/)
  })

  it('catalog.changed arrives when the docker CLI pushes straight to the registry', async () => {
    const since = s.mark()
    const ref = `${pullHost}/svc/cli:1`
    await run('docker', ['tag', image, ref])
    localRefs.push(ref)
    await run('docker', ['push', ref])
    await expect.poll(() => s.events('catalog.changed', since).filter((c) => c.repository === 'svc/cli')).toContainEqual({ repository: 'svc/cli', action: 'push', reference: '1' })
    expect((await s.call('catalog.tags', { repository: 'svc/cli' })).map((t) => t.tag)).toEqual(['1'])
  })

  it('a stopped registry is said plainly; it starts again; a new port while running restarts it there', async () => {
    const since = s.mark()
    const oldPort = (await s.call('registry.status')).port
    expect(await s.call('registry.stop')).toMatchObject({ state: 'stopped', url: null, startedAt: null })
    expect(s.events('registry.status', since).map((e) => e.state)).toEqual(['stopping', 'stopped'])
    await expect(fetch(`http://127.0.0.1:${oldPort}/v2/`)).rejects.toThrow()

    const stopped = await s.fail('docker.push', { image, repository: 'svc/app', tag: '2' })
    expect(stopped.code).toBe('REGISTRY_STOPPED')
    expect(stopped.message).toBe('The registry is not running, so Docker has nowhere to push. Start it first (Start registry).')
    expect((await s.fail('docker.pull', { repository: 'svc/app', reference: '1' })).code).toBe('REGISTRY_STOPPED')
    // The catalog is still browsable while stopped.
    expect((await s.call('catalog.tags', { repository: 'svc/app' })).map((t) => t.tag)).toEqual(['1'])

    const started = await s.call('registry.start')
    expect(started).toMatchObject({ state: 'running', port: oldPort, url: `http://127.0.0.1:${oldPort}`, error: null })
    expect((await fetch(`http://127.0.0.1:${oldPort}/v2/`)).status).toBe(200)

    const newPort = await freePort()
    const moveSince = s.mark()
    const settings = await s.call('settings.update', { port: newPort })
    expect(settings.port).toBe(newPort)
    expect((await s.call('settings.get')).port).toBe(newPort)
    const status = await s.call('registry.status')
    expect(status).toMatchObject({ state: 'running', port: newPort, pullHost: `localhost:${newPort}`, url: `http://127.0.0.1:${newPort}` })
    expect((await fetch(`http://127.0.0.1:${newPort}/v2/`)).status).toBe(200)
    await expect(fetch(`http://127.0.0.1:${oldPort}/v2/`)).rejects.toThrow()
    expect(s.events('registry.status', moveSince).map((e) => e.state)).toEqual(['stopping', 'stopped', 'starting', 'running'])
    expect(s.events('registry.status', moveSince).at(-1)?.port).toBe(newPort)
    // The data folder came along: the catalog is the same.
    expect((await s.call('catalog.tags', { repository: 'svc/app' })).map((t) => t.tag)).toEqual(['1'])
    pullHost = status.pullHost
  })

  it('a port in use: moving onto it changes nothing; registry.start on it fails with PORT_IN_USE naming the port and a free one', async () => {
    let holder: Server = createNetServer()
    const listen = (port: number) => new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', () => resolve()))
    await listen(0)
    const busy = (holder.address() as { port: number }).port
    try {
      // While running, moving to a taken port is refused before the registry stops: nothing changes.
      const before = await s.call('registry.status')
      const moved = await dispatch(s.service.api, 'settings.update', { port: busy })
      expect(moved.ok ? null : moved.error.code).toBe('PORT_IN_USE')
      expect((await s.call('settings.get')).port).toBe(before.port)
      expect(await s.call('registry.status')).toMatchObject({ state: 'running', port: before.port })
      await s.call('registry.stop')

      // A port taken after it was saved (another program started meanwhile): the start says so.
      await new Promise<void>((resolve) => holder.close(() => resolve()))
      await s.call('settings.update', { port: busy })
      holder = createNetServer()
      await listen(busy)
      const e = await s.fail('registry.start')
      expect(e.code).toBe('PORT_IN_USE')
      expect(e.message).toMatch(new RegExp(`^Port ${busy} on 127\\.0\\.0\\.1 is already in use`))
      const suggested = Number(/Port (\d+) is free: change the registry port in Settings\./.exec(e.message)?.[1])
      expect(suggested).toBeGreaterThan(busy)
      const status = await s.call('registry.status')
      expect(status.state).toBe('error')
      expect(status.error).toMatchObject({ code: 'PORT_IN_USE', detail: { port: busy, suggestion: suggested } })

      // Following the advice works.
      await s.call('settings.update', { port: suggested })
      expect(await s.call('registry.start')).toMatchObject({ state: 'running', port: suggested, error: null })
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()))
    }
  })
})
