import { rm } from 'node:fs/promises'
import { connect, createServer as createNetServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { tempDir } from '../helpers/berth'
import { freePort } from '../helpers/distribution'
import { BASE_IMAGE } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { startService } from '../helpers/service-harness'

// The service behind the contract, over the real embedded registry and the real Docker engine.
// Every call goes through dispatch(), so inputs are validated exactly as over IPC and HTTP.

describeWith({ docker: true }, 'registry lifecycle and settings through the service', () => {
  let s: Awaited<ReturnType<typeof startService>>
  const dirs: string[] = []
  beforeAll(async () => {
    s = await startService()
    dirs.push(s.dataDir)
  })
  afterAll(async () => {
    await s?.service.dispose()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('registry.restart keeps the address and resets the uptime; registry.start twice is harmless', async () => {
    const before = await s.call('registry.status')
    expect(before.state).toBe('running')
    await new Promise((r) => setTimeout(r, 20))
    const since = s.mark()
    const after = await s.call('registry.restart')
    expect(after).toMatchObject({ state: 'running', port: before.port, pullHost: before.pullHost })
    expect(Date.parse(after.startedAt!)).toBeGreaterThan(Date.parse(before.startedAt!))
    expect(s.events('registry.status', since).map((e) => e.state)).toEqual(['stopping', 'stopped', 'starting', 'running'])
    const again = s.mark()
    expect((await s.call('registry.start')).startedAt).toBe(after.startedAt)
    expect(s.events('registry.status', again)).toEqual([])
    expect((await fetch(`${after.url}/v2/`)).status).toBe(200)
  })

  it('settings.update validates, and a new data folder is served at once (with catalog.changed)', async () => {
    for (const bad of [{ port: 0 }, { port: 70_000 }, { port: '5000' }, { host: '' }, { unknown: true }]) {
      const e = await s.fail('settings.update', bad)
      expect(e.code, JSON.stringify(bad)).toBe('INVALID_INPUT')
    }
    // A repository in the first folder, written through the registry API.
    const base = (await s.call('registry.status')).url!
    const put = await fetch(`${base}/v2/first/blob/blobs/uploads/?digest=sha256:${'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}`, { method: 'POST' })
    expect(put.status).toBe(201)
    expect((await s.call('catalog.repositories')).items.map((r) => r.name)).toEqual(['first/blob'])

    const other = await tempDir('berth-svc-other-')
    dirs.push(other)
    const since = s.mark()
    const next = await s.call('settings.update', { dataDir: other })
    expect(next.dataDir).toBe(other)
    expect(await s.call('registry.status')).toMatchObject({ state: 'running', dataDir: other })
    expect(s.events('catalog.changed', since)).toContainEqual({ repository: '', action: 'open' })
    expect(await s.call('catalog.repositories')).toEqual({ total: 0, items: [] })
    expect(await (await fetch(`${(await s.call('registry.status')).url}/v2/_catalog`)).json()).toEqual({ repositories: [] })

    await s.call('settings.update', { dataDir: s.dataDir })
    expect((await s.call('catalog.repositories')).items.map((r) => r.name)).toEqual(['first/blob'])

    // Settings that do not move the registry do not restart it.
    const quiet = s.mark()
    expect((await s.call('settings.update', { startOnLaunch: true })).startOnLaunch).toBe(true)
    expect(s.events('registry.status', quiet)).toEqual([])
  })

  it('a stopped registry still answers settings moves without starting (a status event tells the new port)', async () => {
    await s.call('registry.stop')
    const port = await freePort()
    const since = s.mark()
    await s.call('settings.update', { port })
    expect(await s.call('registry.status')).toMatchObject({ state: 'stopped', port, url: null })
    expect(s.events('registry.status', since)).toMatchObject([{ state: 'stopped', port }])
    expect(await s.call('registry.start')).toMatchObject({ state: 'running', port })
  })
})

describeWith({ docker: true }, 'the Docker engine going away and coming back', () => {
  const cleanup: (() => Promise<unknown>)[] = []
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {})
  })

  /** A unix socket that forwards to the real engine: "the engine is back" at that address. */
  async function engineProxy(path: string): Promise<{ close(): Promise<void> }> {
    const sockets = new Set<Socket>()
    const server = createNetServer((client) => {
      const upstream = connect('/var/run/docker.sock')
      sockets.add(client).add(upstream)
      client.pipe(upstream).pipe(client)
      const drop = () => {
        client.destroy()
        upstream.destroy()
        sockets.delete(client)
        sockets.delete(upstream)
      }
      client.on('error', drop).on('close', drop)
      upstream.on('error', drop).on('close', drop)
    })
    await new Promise<void>((resolve) => server.listen(path, () => resolve()))
    return {
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resolve())
        })
    }
  }

  it('DOCKER_HOST at a missing socket is the engine, as for the docker CLI: unreachable, never the default socket in its place; then it comes back', async () => {
    // /var/run/docker.sock answers on this machine: it must not be used for a push the person aimed elsewhere.
    const home = await tempDir('berth-engine-home-')
    const sock = join(home, 'docker.sock')
    const s = await startService({ discovery: { env: { DOCKER_HOST: `unix://${sock}` }, home, platform: 'linux', readFile: () => null } })
    cleanup.push(() => s.service.dispose(), () => rm(home, { recursive: true, force: true }), () => rm(s.dataDir, { recursive: true, force: true }))

    const down = await s.call('docker.status')
    expect(down).toMatchObject({ reachable: false, endpoint: null, engineVersion: null, apiVersion: null })
    expect(down.tried).toEqual([{ address: `unix://${sock}`, source: 'DOCKER_HOST', problem: 'no such socket' }])
    expect(down.problem).toBe(
      `The Docker engine at DOCKER_HOST=unix://${sock} does not answer (no such socket). Start it there, or unset DOCKER_HOST to use the default engine. Berth, like the docker CLI, uses only the engine you chose; the registry keeps working without it.`
    )

    const images = await s.fail('docker.images')
    expect(images.code).toBe('DOCKER_UNREACHABLE')
    expect(images.message).toBe(down.problem)
    const push = await s.fail('docker.push', { image: BASE_IMAGE, repository: 'down/app', tag: '1' })
    expect(push.code).toBe('DOCKER_UNREACHABLE')
    // The registry does not care.
    expect((await s.call('registry.status')).state).toBe('running')

    // The DOCKER_HOST socket appears: it is used, and listeners are told.
    const proxy = await engineProxy(sock)
    cleanup.push(() => proxy.close())
    const since = s.mark()
    const up = await s.call('docker.status')
    expect(up).toMatchObject({ reachable: true, problem: null, endpoint: { source: 'DOCKER_HOST', address: `unix://${sock}`, context: null } })
    expect(up.tried).toEqual([{ address: `unix://${sock}`, source: 'DOCKER_HOST', problem: null }])
    expect(up.engineVersion).toMatch(/^\d+\.\d+/)
    expect(s.events('docker.status', since)).toHaveLength(1)
    expect(s.events('docker.status', since)[0]).toMatchObject({ reachable: true })
    expect((await s.call('docker.images')).length).toBeGreaterThan(0)

    // Gone again: the next call that fails on the connection re-checks and says so (with an event).
    await proxy.close()
    await rm(sock, { force: true })
    const goneSince = s.mark()
    const again = await s.fail('docker.images')
    expect(again.code).toBe('DOCKER_UNREACHABLE')
    expect(again.message).toMatch(/^The Docker engine at DOCKER_HOST=/)
    expect(s.events('docker.status', goneSince).at(-1)).toMatchObject({ reachable: false })
  })
})
