import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import Dockerode from 'dockerode'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Transfer } from '../../src/shared/model/docker'
import { locateEngine } from '../../src/main/docker/engine-location'
import { exportPush } from '../../src/main/transfer/export-push'
import { enginePlatform, loadPull } from '../../src/main/transfer/load-pull'
import { spawnServeApp, type ServeApp } from '../e2e/serve-app'
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { apiIn, canUseNetns, createNetns, type Netns } from '../helpers/loopback-netns'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// The engine in a VM, here where it is native: `berth serve` runs in a network namespace of its own
// (only `lo`), so the engine — reached over its unix socket, which crosses namespaces — cannot reach
// the registry at localhost:<port>. The window's push and pull (the service API, called from inside
// the namespace) must still work, by export and load through the engine's API.

const SOLO = 'berth-vm-it/solo:1'
const SOLO_GZ = 'berth-vm-it/solo-gz:1'
const BASE = 'berth-vm-it/base:1'
const DERIVED = 'berth-vm-it/derived:1'
const BIG = 'berth-vm-it/big:1'
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' })
const sh = (...args: string[]) => run('docker', args).then((o) => o.trim())

async function fileDigest(path: string, gunzip = false): Promise<string> {
  const hash = createHash('sha256')
  const hashAll = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk)
  }
  if (gunzip) await pipeline(createReadStream(path), createGunzip(), hashAll)
  else await pipeline(createReadStream(path), hashAll)
  return `sha256:${hash.digest('hex')}`
}

describeWith({ docker: true, commands: ['ip'] }, 'push and pull from the window when the engine cannot reach the registry (own network namespace)', () => {
  let ns: Netns
  let serve: ServeApp
  let api: ReturnType<typeof apiIn>
  let dataDir = ''
  let host = ''
  const ids: Record<string, string> = {}
  const blobDir = () => join(dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256')
  const repoDir = (name: string) => join(dataDir, 'docker', 'registry', 'v2', 'repositories', name)

  async function blobs(): Promise<Map<string, number>> {
    const out = new Map<string, number>()
    for (const hh of await readdir(blobDir()).catch(() => [] as string[]))
      for (const hex of await readdir(join(blobDir(), hh))) out.set(`sha256:${hex}`, (await stat(join(blobDir(), hh, hex, 'data'))).size)
    return out
  }
  const blobPath = (digest: string) => join(blobDir(), digest.slice(7, 9), digest.slice(7), 'data')

  async function finished(id: string, timeoutMs = 120_000): Promise<Transfer> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const t = (await api.call('transfers.list')).find((x) => x.id === id)
      if (t && t.state !== 'running') return t
      if (Date.now() > until) throw new Error(`transfer ${id} still running: ${JSON.stringify(t)}`)
      await new Promise((r) => setTimeout(r, 150))
    }
  }

  async function push(image: string, repository: string, tag: string): Promise<Transfer> {
    const { transferId } = await api.call('docker.push', { image, repository, tag })
    const t = await finished(transferId)
    expect(t.error, JSON.stringify(t.error)).toBeNull()
    expect(t.state).toBe('done')
    return t
  }

  async function diffIds(image: string): Promise<string[]> {
    return JSON.parse(await sh('image', 'inspect', image, '--format', '{{json .RootFS.Layers}}'))
  }

  beforeAll(async () => {
    if (!canUseNetns()) throw new Error('these tests need root and `ip netns` (apt-get install -y iproute2)')
    await buildImage(SOLO, { layers: 3, layerBytes: 2 << 20, message: 'solo, loaded without the registry' })
    await buildImage(SOLO_GZ, { layers: 3, layerBytes: 2 << 20, message: 'solo in gzip, loaded without the registry' })
    await buildImage(BASE, { layers: 2, layerBytes: 2 << 20, message: 'base' })
    await buildImage(DERIVED, { from: BASE, layers: 2, layerBytes: 2 << 20, message: 'derived' })
    await buildImage(BIG, { layers: 3, layerBytes: 32 << 20, message: 'big' })
    for (const image of [SOLO, SOLO_GZ, BASE, DERIVED, BIG]) ids[image] = await sh('image', 'inspect', image, '--format', '{{.Id}}')
    ns = await createNetns()
    dataDir = await tempDir('berth-vm-data-')
    // gzip at level 9 on random bytes is slow enough for the cancel test to catch a layer half-sent.
    serve = await spawnServeApp(['--data', dataDir], { netns: ns.name, env: { ...process.env, BERTH_GZIP: 'chunks:9:nostore' } })
    api = apiIn(ns.name, serve.appUrl)
    host = `localhost:${serve.registryPort}`
  })

  afterAll(async () => {
    await serve?.close()
    await ns?.remove().catch(() => {})
    const mine = (await sh('images', '--format', '{{.Repository}}:{{.Tag}}')).split('\n').filter((r) => r.startsWith('berth-vm-it/') || (host && r.startsWith(`${host}/`)))
    if (mine.length > 0) await run('docker', ['rmi', '-f', ...mine]).catch(() => {})
    for (const id of Object.values(ids)) await run('docker', ['rmi', '-f', id]).catch(() => {})
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('the engine cannot reach the registry: docker push to localhost:<port> fails, and the probe says so', async () => {
    await sh('tag', SOLO, `${host}/vm/refused:1`)
    await expect(run('docker', ['push', `${host}/vm/refused:1`])).rejects.toThrow(/connection refused/)
    await sh('rmi', `${host}/vm/refused:1`)
    const located = await locateEngine(docker, { endpoint: 'unix:///var/run/docker.sock', registry: host })
    expect(located).toMatchObject({ where: 'local', reachesRegistry: false, probe: { outcome: 'refused', reached: false } })
    // The same probe against a registry the engine does reach.
    const reachable = await startBerth()
    try {
      const there = await locateEngine(docker, { endpoint: 'unix:///var/run/docker.sock', registry: reachable.host })
      expect(there).toMatchObject({ reachesRegistry: true, probe: { outcome: 'answered' } })
    } finally {
      await reachable.close()
    }
  })

  it('drag-to-push still works, by export: layers stored uncompressed, digests the engine’s own', async () => {
    const t = await push(SOLO, 'vm/solo', '1')
    expect(t).toMatchObject({ path: 'export', encoding: 'uncompressed' })
    const layers = await diffIds(SOLO)
    expect(t.layers.map((l) => `sha256:${l.id}`)).toEqual(layers)
    const detail = await api.call('catalog.manifest', { repository: 'vm/solo', reference: '1' })
    expect(detail.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json')
    expect(detail.config?.digest).toBe(ids[SOLO])
    expect(detail.layers.map((l) => l.digest)).toEqual(layers)
    expect(new Set(detail.layers.map((l) => l.mediaType))).toEqual(new Set(['application/vnd.docker.image.rootfs.diff.tar']))
    // Byte for byte: every stored blob hashes to its name, the config to the image id.
    for (const d of [ids[SOLO], ...layers]) expect(await fileDigest(blobPath(d))).toBe(d)
    expect((await api.call('catalog.repositories')).items.map((r) => r.name)).toContain('vm/solo')
  })

  it('gzip layers in an OCI manifest when the settings say so; gunzipped, each is the engine’s layer', async () => {
    await api.call('settings.update', { layerEncoding: 'gzip', manifestFormat: 'oci' })
    try {
      const t = await push(SOLO_GZ, 'vm/solo-gz', '1')
      expect(t).toMatchObject({ path: 'export', encoding: 'gzip' })
      const detail = await api.call('catalog.manifest', { repository: 'vm/solo-gz', reference: '1' })
      expect(detail.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
      expect(detail.config?.digest).toBe(ids[SOLO_GZ])
      // The busybox layer is already stored (uncompressed, by vm/solo): mounted, not compressed again.
      const layers = await diffIds(SOLO_GZ)
      expect(detail.layers[0]).toMatchObject({ digest: layers[0], mediaType: 'application/vnd.oci.image.layer.v1.tar' })
      expect(t.layers[0].phase).toBe('mounted')
      for (const [i, l] of detail.layers.slice(1).entries()) {
        expect(l.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip')
        expect(await fileDigest(blobPath(l.digest))).toBe(l.digest)
        expect(await fileDigest(blobPath(l.digest), true)).toBe(layers[i + 1])
      }
    } finally {
      await api.call('settings.update', { layerEncoding: 'auto', manifestFormat: 'docker' })
    }
  })

  it('Pull to Docker loads each back byte for byte (same image id), and it runs', async () => {
    for (const [repository, image, message] of [
      ['vm/solo', SOLO, 'solo, loaded without the registry'],
      ['vm/solo-gz', SOLO_GZ, 'solo in gzip, loaded without the registry']
    ]) {
      await run('docker', ['rmi', '-f', ids[image]])
      const { transferId, reference } = await api.call('docker.pull', { repository, reference: '1' })
      expect(reference).toBe(`${host}/${repository}:1`)
      const t = await finished(transferId)
      expect(t.error, JSON.stringify(t.error)).toBeNull()
      expect(t).toMatchObject({ state: 'done', path: 'export', encoding: null })
      // The busybox layer was in the engine already (the base image has it); the others were loaded.
      expect(t.layers.map((l) => l.phase)).toEqual(['exists', 'done', 'done', 'done', 'done'])
      expect(await sh('image', 'inspect', reference, '--format', '{{.Id}}')).toBe(ids[image])
      // What docker load leaves: no RepoDigests (a later `docker pull` that reaches the registry adds it, downloading nothing).
      expect(await sh('image', 'inspect', reference, '--format', '{{json .RepoDigests}}')).toBe('[]')
      expect(await sh('run', '--rm', '--network', 'none', reference)).toBe(message)
    }
  })

  it('a rebuilt image sends only its new layers: the rest is mounted from another repository, or already there', async () => {
    await push(BASE, 'vm/app', '1')
    const before = await blobs()
    const t = await push(DERIVED, 'vm/other', '1')
    const base = await diffIds(BASE)
    const derived = await diffIds(DERIVED)
    expect(derived.slice(0, base.length)).toEqual(base)
    expect(t.layers.map((l) => l.phase)).toEqual([...base.map(() => 'mounted'), ...derived.slice(base.length).map(() => 'done')])
    // Mounted layers show their real (stored) sizes.
    for (const l of t.layers.slice(0, base.length)) expect(l.total).toBe(before.get(`sha256:${l.id}`))
    const after = await blobs()
    const added = [...after.keys()].filter((d) => !before.has(d))
    // The new layers, the config and the manifest: nothing of the base was written again.
    expect(added.sort()).toEqual([...derived.slice(base.length), ids[DERIVED], t.digest!].sort())

    // Into the repository that holds the base: those layers are already there, the rest is mounted.
    const again = await push(DERIVED, 'vm/app', '2')
    expect(again.layers.map((l) => l.phase)).toEqual([...base.map(() => 'exists'), ...derived.slice(base.length).map(() => 'mounted')])
    expect(again.digest).toBe(t.digest)
    expect([...(await blobs()).keys()].length).toBe(after.size)
    expect((await api.call('catalog.tags', { repository: 'vm/app' })).map((x) => x.tag).sort()).toEqual(['1', '2'])
  })

  it('a push cancelled half-way leaves nothing: no tag, no manifest, no layer link, no staging', async () => {
    await api.call('settings.update', { layerEncoding: 'gzip' })
    try {
      const { transferId } = await api.call('docker.push', { image: BIG, repository: 'vm/cancel', tag: '1' })
      const until = Date.now() + 120_000
      for (;;) {
        const t = (await api.call('transfers.list')).find((x) => x.id === transferId)!
        expect(t.state).toBe('running')
        if (t.layers.some((l) => l.phase === 'uploading' && l.current > 0)) break
        if (Date.now() > until) throw new Error('no layer started uploading')
        await new Promise((r) => setTimeout(r, 50))
      }
      await api.call('transfers.cancel', { id: transferId })
      const t = await finished(transferId)
      expect(t.state).toBe('cancelled')
      // The staging area goes when the push ends; give it a moment.
      await expect.poll(() => readdir(repoDir('berth-import-tmp')).catch(() => [] as string[]), { timeout: 10_000 }).toEqual([])
      expect(await readdir(repoDir('vm/cancel')).catch(() => [] as string[])).toEqual([])
      expect((await api.fail('catalog.tags', { repository: 'vm/cancel' })).code).toBe('NOT_FOUND')
      expect((await api.call('catalog.repositories')).items.map((r) => r.name)).not.toContain('vm/cancel')
    } finally {
      await api.call('settings.update', { layerEncoding: 'auto' })
    }
  })

  it('the engine’s own push stays available (setting), and fails here as docker push does', async () => {
    await api.call('settings.update', { transferPath: 'engine' })
    try {
      const { transferId } = await api.call('docker.push', { image: BASE, repository: 'vm/engine', tag: '1' })
      const t = await finished(transferId)
      expect(t).toMatchObject({ state: 'error', path: 'engine', encoding: 'gzip' })
      expect(t.error?.message).toMatch(/could not connect|connection refused/i)
    } finally {
      await api.call('settings.update', { transferPath: 'auto' })
    }
  })
})

describeWith({ docker: true, commands: ['podman'] }, 'push by export and pull by load against Podman’s Docker-compatible API (its own save layout)', () => {
  const IMAGE = 'berth-vm-it/podman:1'
  let dir = ''
  let service: ChildProcess | undefined
  let podman: Dockerode
  let berth: RunningBerth
  let id = ''

  beforeAll(async () => {
    await buildImage(IMAGE, { layers: 2, layerBytes: 1 << 20, message: 'from podman' })
    id = await sh('image', 'inspect', IMAGE, '--format', '{{.Id}}')
    dir = await tempDir('berth-vm-podman-')
    await run('sh', ['-c', `docker save ${IMAGE} | podman load`])
    const socket = join(dir, 'podman.sock')
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { stdio: 'ignore' })
    podman = new Dockerode({ socketPath: socket })
    for (let i = 0; !(await podman.ping().then(() => true, () => false)); i++) {
      if (i > 150) throw new Error('podman system service did not answer')
      await new Promise((r) => setTimeout(r, 100))
    }
    berth = await startBerth()
  })

  afterAll(async () => {
    await run('podman', ['rmi', '-f', id]).catch(() => {})
    service?.kill('SIGTERM')
    await berth?.close()
    await run('docker', ['rmi', '-f', IMAGE]).catch(() => {})
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('reads Podman’s `<diff-id>.tar` archive, mounts what is stored, and loads the image back into Podman', async () => {
    const located = await locateEngine(podman, { endpoint: `unix://${join(dir, 'podman.sock')}` })
    expect(located).toMatchObject({ product: 'podman', where: 'local' })
    const layers: string[] = JSON.parse(await sh('image', 'inspect', IMAGE, '--format', '{{json .RootFS.Layers}}'))
    const signal = new AbortController().signal
    const first = await exportPush(podman, berth.storage, { image: id, repository: 'pm/app', tag: '1', encoding: 'uncompressed', format: 'docker' }, signal, () => {})
    expect([...first.layers.values()].map((l) => l.id)).toEqual(layers.map((d) => d.slice(7)))
    const stored = await berth.storage.manifests.get('pm/app', '1')
    const manifest = JSON.parse(stored!.bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] }
    expect(manifest.config.digest).toBe(id)
    expect(manifest.layers.map((l) => l.digest)).toEqual(layers)
    // Podman names each layer by its diff ID: a second push into another repository reads none of them.
    const second = await exportPush(podman, berth.storage, { image: id, repository: 'pm/again', tag: '1', encoding: 'gzip', format: 'oci' }, signal, () => {})
    expect([...second.layers.values()].map((l) => l.phase)).toEqual(layers.map(() => 'mounted'))

    await run('podman', ['rmi', '-f', id])
    const name = `${berth.host}/pm/app:1`
    const pulled = await loadPull(podman, berth.storage, { repository: 'pm/app', reference: '1', name, platform: await enginePlatform(podman) }, signal, () => {})
    expect(pulled.error).toBeNull()
    expect((await podman.getImage(name).inspect()).Id).toBe(id)
  })
})
