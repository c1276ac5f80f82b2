import { connect, createServer as createNetServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ApiInput, ApiOutput, EventName, MethodName } from '../../src/shared/contract'
import type { Transfer } from '../../src/shared/model/docker'
import { dispatch } from '../../src/main/service/dispatch'
import { createHttpTransport } from '../../src/main/service/http-transport'
import { createService, type Service } from '../../src/main/service/service'
import { tempDir } from '../helpers/berth'
import { freePort } from '../helpers/distribution'
import { BASE_IMAGE, buildImage, ensureBaseImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// The service behind the contract, against the real registry and the real Docker engine, called
// through dispatch (so inputs are validated exactly as over IPC and HTTP).

type Envelope<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string } }
const localImages: string[] = []
let service: Service
const seen: { event: EventName; payload: unknown }[] = []

async function call<M extends MethodName>(method: M, input?: ApiInput<M>): Promise<ApiOutput<M>> {
  const r = (await dispatch(service.api, method, input)) as Envelope<ApiOutput<M>>
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
  return r.result
}
async function fail(method: MethodName, input?: unknown): Promise<{ code: string; message: string }> {
  const r = (await dispatch(service.api, method, input)) as Envelope<unknown>
  expect(r.ok, `${method} should fail`).toBe(false)
  return (r as { ok: false; error: { code: string; message: string } }).error
}
function events<T>(name: EventName): T[] {
  return seen.filter((e) => e.event === name).map((e) => e.payload as T)
}
async function finished(id: string): Promise<Transfer> {
  let last: Transfer | undefined
  await expect
    .poll(() => {
      last = events<Transfer>('transfer.progress').filter((t) => t.id === id).at(-1)
      return last?.state
    }, { timeout: 120_000, interval: 100 })
    .not.toBe('running')
  return last!
}

describeWith({ docker: true }, 'the service with the real registry and Docker engine', () => {
  let image: string
  let pullHost: string
  beforeAll(async () => {
    const port = await freePort()
    service = createService({ settingsFile: null, defaults: { port, host: '127.0.0.1', dataDir: await tempDir('berth-svc-'), startOnLaunch: false, startAtLogin: false } })
    service.bus.subscribe((event, payload) => seen.push({ event, payload }))
    await service.init({ startRegistry: true })
    pullHost = (await call('registry.status')).pullHost
    image = await buildImage('berth-it/svc:1.0', { layers: 3, layerBytes: 2 * 1024 * 1024, message: 'from the service test' })
    localImages.push(image)
  })
  afterAll(async () => {
    await service.dispose()
    for (const ref of localImages) await run('docker', ['rmi', '-f', ref]).catch(() => {})
  })

  it('docker.status says where the engine is and which version', async () => {
    const s = await call('docker.status')
    expect(s).toMatchObject({ reachable: true, endpoint: { address: 'unix:///var/run/docker.sock', source: 'default' }, flavour: 'engine' })
    expect(s.engineVersion).toMatch(/^\d+\.\d+/)
    expect(s.apiVersion).toMatch(/^1\.\d+$/)
  })

  it('docker.images lists local images, dangling ones hidden', async () => {
    const images = await call('docker.images')
    expect(images.some((i) => i.tags.includes(image))).toBe(true)
    expect(images.every((i) => !i.dangling)).toBe(true)
  })

  it('docker.push returns a transfer at once; progress arrives per layer and ends done; the catalog follows', async () => {
    const { transferId, reference } = await call('docker.push', { image, repository: 'svc/app', tag: '1' })
    expect(reference).toBe(`${pullHost}/svc/app:1`)
    localImages.push(reference)
    const done = await finished(transferId)
    expect(done.state).toBe('done')
    expect(done.overall.percent).toBe(100)
    expect(done.digest).toMatch(/^sha256:/)
    expect(done.layers.length).toBeGreaterThanOrEqual(3)
    for (const l of done.layers) expect(['done', 'exists', 'mounted']).toContain(l.phase)
    const progress = events<Transfer>('transfer.progress').filter((t) => t.id === transferId)
    expect(progress.some((t) => t.state === 'running' && t.layers.some((l) => l.phase === 'uploading' || l.phase === 'waiting'))).toBe(true)
    await expect.poll(() => events<{ repository: string }>('catalog.changed').some((c) => c.repository === 'svc/app')).toBe(true)

    const repos = await call('catalog.repositories', { filter: 'svc/' })
    expect(repos.items.find((r) => r.name === 'svc/app')).toMatchObject({ tagCount: 1 })
    expect(repos.items[0].totalSize).toBeGreaterThan(6 * 1024 * 1024)
    const tags = await call('catalog.tags', { repository: 'svc/app' })
    expect(tags).toHaveLength(1)
    expect(tags[0]).toMatchObject({ tag: '1', digest: done.digest, kind: 'image' })
    expect(tags[0].created).not.toBeNull()
    const detail = await call('catalog.manifest', { repository: 'svc/app', reference: '1' })
    expect(detail.layers.length).toBe(done.layers.length)
    expect(detail.image?.cmd).toEqual(['cat', '/message.txt'])
    expect(detail.image?.history.length).toBeGreaterThan(0)
    expect(detail.tags).toEqual(['1'])
  })

  it('a second repository mounts the shared layers; unique sizes count them once', async () => {
    const { transferId } = await call('docker.push', { image, repository: 'svc/copy', tag: '1' })
    localImages.push(`${pullHost}/svc/copy:1`)
    const done = await finished(transferId)
    expect(done.state).toBe('done')
    expect(done.layers.some((l) => l.phase === 'mounted' || l.phase === 'exists')).toBe(true)
    const repos = (await call('catalog.repositories', { filter: 'svc/' })).items
    const app = repos.find((r) => r.name === 'svc/app')!
    expect(app.uniqueSize).toBeLessThan(app.totalSize)
  })

  it('catalog.retag promotes into another repository without Docker; docker pulls and runs it', async () => {
    const r = await call('catalog.retag', { repository: 'svc/app', reference: '1', targetRepository: 'svc/promoted', targetTag: 'prod' })
    expect(r.reference).toBe(`${pullHost}/svc/promoted:prod`)
    localImages.push(r.reference)
    await run('docker', ['pull', r.reference])
    expect((await run('docker', ['run', '--rm', '--network', 'none', r.reference])).trim()).toBe('from the service test')
    expect((await call('catalog.pullCommand', { repository: 'svc/promoted', reference: 'prod' })).command).toBe(`docker pull ${r.reference}`)
  })

  it('docker.pull brings a tag back into the engine; docker.removeImage removes it', async () => {
    const ref = `${pullHost}/svc/app:1`
    await run('docker', ['rmi', '-f', ref]).catch(() => {})
    const { transferId } = await call('docker.pull', { repository: 'svc/app', reference: '1' })
    const done = await finished(transferId)
    expect(done.state).toBe('done')
    expect((await call('docker.images')).some((i) => i.tags.includes(ref))).toBe(true)
    const removed = await call('docker.removeImage', { image: ref })
    expect(removed.removed.join(' ')).toContain(ref)
    expect((await call('docker.images')).some((i) => i.tags.includes(ref))).toBe(false)
  })

  it('docker.run starts a container from a registry image', async () => {
    await ensureBaseImage()
    const sleeper = `berth-it/sleeper:1`
    await run('docker', ['tag', BASE_IMAGE, sleeper])
    localImages.push(sleeper)
    const { transferId } = await call('docker.push', { image: sleeper, repository: 'svc/sleeper', tag: '1' })
    expect((await finished(transferId)).state).toBe('done')
    const name = `berth-it-run-${Date.now()}`
    await run('docker', ['rmi', '-f', `${pullHost}/svc/sleeper:1`]).catch(() => {})
    const started = await call('docker.run', { repository: 'svc/sleeper', reference: '1', ports: [], name, network: 'none' })
    try {
      expect(started.name).toBe(name)
      expect(started.command).toBe(`docker run -d --name ${name} --network none ${pullHost}/svc/sleeper:1`)
      const state = (await run('docker', ['inspect', '-f', '{{.State.Status}}', name])).trim()
      expect(['running', 'exited']).toContain(state)
    } finally {
      await run('docker', ['rm', '-f', name]).catch(() => {})
    }
  })

  it('deletes tags and manifests with events; refuses unknown ones and bad names with advice', async () => {
    await call('catalog.deleteTag', { repository: 'svc/copy', tag: '1' })
    expect(await call('catalog.tags', { repository: 'svc/copy' })).toEqual([])
    const digest = (await call('catalog.tags', { repository: 'svc/promoted' }))[0].digest
    const del = await call('catalog.deleteManifest', { repository: 'svc/promoted', digest })
    expect(del.tags).toEqual(['prod'])
    expect(events<{ repository: string; action: string }>('catalog.changed').filter((c) => c.action === 'untag' || c.action === 'delete').map((c) => c.repository)).toEqual(expect.arrayContaining(['svc/copy', 'svc/promoted']))
    const unknown = await fail('catalog.deleteTag', { repository: 'svc/app', tag: 'nope' })
    expect(unknown.code).toBe('NOT_FOUND')
    expect(unknown.message).toMatch(/svc\/app has no tag nope/)
    const bad = await fail('docker.push', { image, repository: 'Svc/App', tag: '1' })
    expect(bad.code).toBe('INVALID_INPUT')
    expect(bad.message).toMatch(/repository: A repository name is lowercase letters/)
  })

  it('transfers.cancel stops a running push', async () => {
    const bigImage = await buildImage('berth-it/svc-big:1', { layers: 4, layerBytes: 32 * 1024 * 1024, message: 'big' })
    localImages.push(bigImage)
    const { transferId } = await call('docker.push', { image: bigImage, repository: 'svc/big', tag: '1' })
    localImages.push(`${pullHost}/svc/big:1`)
    await call('transfers.cancel', { id: transferId })
    const end = await finished(transferId)
    expect(end.state).toBe('cancelled')
    expect((await fail('transfers.cancel', { id: transferId })).code).toBe('NOT_FOUND')
  })

  it('catalog.changed arrives when the docker CLI pushes directly', async () => {
    const ref = `${pullHost}/svc/cli:1`
    await run('docker', ['tag', image, ref])
    localImages.push(ref)
    await run('docker', ['push', ref])
    await expect.poll(() => events<{ repository: string }>('catalog.changed').some((c) => c.repository === 'svc/cli')).toBe(true)
  })

  it('a stopped registry is said plainly; settings move it to another port while running', async () => {
    await call('registry.stop')
    const e = await fail('docker.push', { image, repository: 'svc/app', tag: '2' })
    expect(e.code).toBe('REGISTRY_STOPPED')
    expect(e.message).toMatch(/Start it first/)
    expect((await call('registry.start')).state).toBe('running')
    const port = await freePort()
    await call('settings.update', { port })
    const status = await call('registry.status')
    expect(status).toMatchObject({ state: 'running', port })
    expect((await fetch(`http://127.0.0.1:${port}/v2/`)).status).toBe(200)
    expect(events<{ state: string }>('registry.status').map((s) => s.state)).toEqual(expect.arrayContaining(['stopping', 'stopped', 'starting', 'running']))
  })

  it('a port in use is refused with who holds it and a free port to use', async () => {
    await call('registry.stop')
    const port = await freePort()
    await call('settings.update', { port })
    // Taken after it was saved (settings.update itself refuses a busy port).
    const holder: Server = createNetServer()
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', () => r()))
    try {
      const e = await fail('registry.start')
      expect(e.code).toBe('PORT_IN_USE')
      expect(e.message).toMatch(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`))
      expect(e.message).toMatch(/Port \d+ is free/)
      expect((await call('registry.status')).state).toBe('error')
    } finally {
      holder.close()
    }
    await call('settings.update', { port: await freePort() })
    expect((await call('registry.start')).state).toBe('running')
  })
})

describeWith({ docker: true }, 'engine down and back', () => {
  it('an explicit DOCKER_HOST that is missing is reported as such (no fallback), then found when it appears (with an event)', async () => {
    const dir = await tempDir('berth-engine-')
    const sock = join(dir, 'docker.sock')
    const discovery = { env: { DOCKER_HOST: `unix://${sock}` }, home: dir, platform: 'linux' as const, readFile: () => null }
    // Only the DOCKER_HOST candidate may answer: the test decides when the engine is there.
    const svc = createService({ settingsFile: null, defaults: { port: await freePort(), host: '127.0.0.1', dataDir: dir, startOnLaunch: false, startAtLogin: false }, discovery })
    const changes: { reachable: boolean }[] = []
    svc.bus.on('docker.status', (s) => changes.push(s))
    try {
      const down = (await dispatch(svc.api, 'docker.status', undefined)) as Envelope<ApiOutput<'docker.status'>>
      expect(down.ok && down.result.tried[0]).toEqual({ address: `unix://${sock}`, source: 'DOCKER_HOST', problem: 'no such socket' })
      expect(down.ok && down.result.tried).toHaveLength(1)
      // The default socket is the real engine here, and it must not stand in for the one chosen.
      const images = (await dispatch(svc.api, 'docker.images', undefined)) as Envelope<unknown>
      expect(images).toMatchObject({ ok: false, error: { code: 'DOCKER_UNREACHABLE' } })

      // Now the DOCKER_HOST socket appears (a proxy to the real engine) and is used.
      const proxy = createNetServer((client) => {
        const upstream = connect('/var/run/docker.sock')
        client.pipe(upstream).pipe(client)
        client.on('error', () => upstream.destroy())
        upstream.on('error', () => client.destroy())
      })
      await new Promise<void>((r) => proxy.listen(sock, () => r()))
      try {
        const up = (await dispatch(svc.api, 'docker.status', undefined)) as Envelope<ApiOutput<'docker.status'>>
        expect(up.ok && up.result.endpoint).toEqual({ source: 'DOCKER_HOST', address: `unix://${sock}`, context: null })
        expect(changes.at(-1)).toMatchObject({ reachable: true })
      } finally {
        proxy.close()
      }
    } finally {
      await svc.dispose()
    }
  })
})

describeWith({}, 'the HTTP transport', () => {
  let svc: Service
  let url: string
  let token: string
  let transport: ReturnType<typeof createHttpTransport>
  beforeAll(async () => {
    const dir = await tempDir('berth-http-')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Berth</title>')
    svc = createService({ settingsFile: null, defaults: { port: await freePort(), host: '127.0.0.1', dataDir: await tempDir(), startOnLaunch: false, startAtLogin: false } })
    await svc.init({ startRegistry: true })
    transport = createHttpTransport({ service: svc, rendererDir: dir })
    const address = await transport.listen(0)
    url = `http://127.0.0.1:${address.port}`
    token = transport.token
  })
  afterAll(async () => {
    await transport.close()
    await svc.dispose()
  })
  const auth = () => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' })

  it('needs the token; lists every method with JSON Schemas', async () => {
    expect((await fetch(`${url}/api`)).status).toBe(401)
    expect((await fetch(`${url}/api/registry.status`, { method: 'POST', headers: { Authorization: 'Bearer wrong' } })).status).toBe(401)
    const listing = (await (await fetch(`${url}/api`, { headers: auth() })).json()) as { methods: { name: string; input: object; output: object }[]; events: { name: string }[] }
    const { METHOD_NAMES, EVENT_NAMES } = await import('../../src/shared/contract')
    expect(listing.methods.map((m) => m.name).sort()).toEqual([...METHOD_NAMES].sort())
    expect(listing.events.map((e) => e.name).sort()).toEqual([...EVENT_NAMES].sort())
    expect(listing.methods.find((m) => m.name === 'docker.push')!.input).toMatchObject({ type: 'object', required: ['image', 'repository', 'tag'] })
  })

  it('POST /api/<method> answers the envelope; bad input and unknown methods are told', async () => {
    const status = await (await fetch(`${url}/api/registry.status`, { method: 'POST', headers: auth() })).json()
    expect(status).toMatchObject({ ok: true, result: { state: 'running' } })
    const bad = await (await fetch(`${url}/api/catalog.tags`, { method: 'POST', headers: auth(), body: JSON.stringify({ repository: '../etc' }) })).json()
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    const unknown = await fetch(`${url}/api/registry.explode`, { method: 'POST', headers: auth() })
    expect(unknown.status).toBe(404)
    const notJson = await fetch(`${url}/api/registry.status`, { method: 'POST', headers: auth(), body: '{' })
    expect(notJson.status).toBe(400)
  })

  it('refuses other Host names (DNS rebinding)', async () => {
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve) => {
      const r = request(`${url}/api`, { headers: { ...auth(), Host: 'evil.example' } }, (res) => resolve(res.statusCode!))
      r.end()
    })
    expect(status).toBe(403)
  })

  it('the page sets no cookie from ?token=, and a cookie does not authorize the API (every 127.0.0.1 server would get it)', async () => {
    const page = await fetch(`${url}/?token=${token}`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    expect(page.headers.get('set-cookie')).toBeNull()
    const res = await fetch(`${url}/api/registry.status`, { method: 'POST', headers: { Cookie: `berth_token=${token}`, 'Content-Type': 'application/json' } })
    expect(res.status).toBe(401)
  })

  it('streams events as Server-Sent Events', async () => {
    const controller = new AbortController()
    const res = await fetch(`${url}/api/events`, { headers: auth(), signal: controller.signal })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = res.body!.getReader()
    let text = ''
    const got = (async () => {
      while (!/event: registry\.status\ndata: \{[^\n]*"state":"running"/.test(text)) {
        const { value, done } = await reader.read()
        if (done) break
        text += new TextDecoder().decode(value)
      }
    })()
    await fetch(`${url}/api/registry.restart`, { method: 'POST', headers: auth() })
    await got
    controller.abort()
    expect(text).toMatch(/^id: \d+$/m)
    expect(text).toMatch(/event: registry\.status/)
  })
})
