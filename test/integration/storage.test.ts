import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { dispatch } from '../../src/main/service/dispatch'
import { createService } from '../../src/main/service/service'
import { collectGarbage } from '../../src/main/storage/manage/gc'
import { storageUsage } from '../../src/main/storage/manage/usage'
import type { ApiInput, ApiOutput, MethodName } from '../../src/shared/contract'
import type { StorageProgress } from '../../src/shared/model/storage'
import { berth as runBerth, BERTH_BIN, startBerth, tempDir, type RunningBerth } from '../helpers/berth'
import { freePort, startDistribution } from '../helpers/distribution'
import { BASE_IMAGE, buildImage, ensureBaseImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// Storage management with the real Docker engine and Distribution 2.8: a collection during eight
// concurrent pushes loses nothing and frees exactly what nothing references; Distribution serves the
// folder afterwards; a collected layer pushes again at once; verify and move from the command line
// (a move killed half-way leaves the original intact); Docker volumes holding registry data.

const RUN = randomBytes(3).toString('hex')
const localImages: string[] = []

/** Digests of everything an image pushed to `url` is made of (manifest, config, layers). */
async function imageDigests(url: string, name: string, tag: string): Promise<string[]> {
  const res = await fetch(`${url}/v2/${name}/manifests/${tag}`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })
  expect(res.status).toBe(200)
  const m = (await res.json()) as { config: { digest: string }; layers: { digest: string }[] }
  return [res.headers.get('docker-content-digest')!, m.config.digest, ...m.layers.map((l) => l.digest)]
}

/** Makes every touch the registry recorded look older than the grace period (as if pushed long ago). */
function ageTouches(b: RunningBerth): void {
  b.clock.advance(3_600_000)
}

/** A service on a fresh data folder and a free port, its storage.progress events recorded; `call` unwraps the envelope. */
async function startStorageService(startRegistry = true) {
  const dataDir = await tempDir('berth-st-svc-')
  const service = createService({ settingsFile: null, defaults: { port: await freePort(), host: '127.0.0.1', dataDir, startOnLaunch: false, startAtLogin: false } })
  const progress: StorageProgress[] = []
  service.bus.on('storage.progress', (p) => progress.push(p))
  await service.init({ startRegistry })
  const call = async <M extends MethodName>(method: M, input?: ApiInput<M>): Promise<ApiOutput<M>> => {
    const r = await dispatch(service.api, method, input)
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`)
    return r.result as ApiOutput<M>
  }
  return { service, progress, call }
}

describeWith({ docker: true, commands: ['docker-registry'] }, 'storage management with docker and Distribution', () => {
  let berth: RunningBerth
  let keep: string
  let gone: string
  const many: string[] = []
  beforeAll(async () => {
    berth = await startBerth()
    keep = await buildImage(`berth-st-${RUN}/keep:1`, { layers: 2, message: 'kept' })
    gone = await buildImage(`berth-st-${RUN}/gone:1`, { layers: 2, message: 'gone and back' })
    localImages.push(keep, gone)
    for (let i = 0; i < 8; i++) {
      many.push(await buildImage(`berth-st-${RUN}/many${i}:1`, { layers: 2, layerBytes: 512 * 1024, message: `many ${i}` }))
      localImages.push(many[i])
    }
  })
  afterAll(async () => {
    await berth?.close()
    for (const ref of localImages) await run('docker', ['rmi', '-f', ref]).catch(() => {})
    await run('docker', ['image', 'prune', '-f']).catch(() => {})
  })

  it('a collection during eight concurrent pushes loses nothing and frees exactly the unreferenced blobs; Distribution serves the folder after', async () => {
    const push = async (local: string, repo: string) => {
      const ref = `${berth.host}/${repo}:1`
      await run('docker', ['tag', local, ref])
      localImages.push(ref)
      await run('docker', ['push', ref], { timeoutMs: 240_000 })
      return ref
    }
    await push(keep, 'st/keep')
    await push(gone, 'st/gone')
    const keepDigests = await imageDigests(berth.url, 'st/keep', '1')
    const goneDigests = await imageDigests(berth.url, 'st/gone', '1')
    // Deleting the manifest leaves its unique blobs (the busybox base layer is shared with st/keep).
    expect((await fetch(`${berth.url}/v2/st/gone/manifests/${goneDigests[0]}`, { method: 'DELETE' })).status).toBe(202)
    const expected = goneDigests.filter((d) => !keepDigests.includes(d)).sort()
    expect(expected.length).toBe(5) // manifest, config, and its own three layers (two data files, the message)
    ageTouches(berth)

    const dry = await collectGarbage(berth.storage, { dryRun: true })
    expect(dry.blobs.map((b) => b.digest).sort()).toEqual(expected)

    // Eight pushes at once, and collections running back to back all the while.
    let pushing = true
    const freed = new Set<string>()
    let runs = 0
    const collector = (async () => {
      while (pushing) {
        const r = await collectGarbage(berth.storage, {})
        for (const b of r.blobs) freed.add(b.digest)
        runs++
        await new Promise((res) => setTimeout(res, 50))
      }
    })()
    const refs = await Promise.all(many.map((local, i) => push(local, `st/many${i}`))).finally(() => (pushing = false))
    await collector
    expect(runs).toBeGreaterThan(1)
    expect([...freed].sort()).toEqual(expected)

    // Every image pushed during the collections pulls and runs.
    for (const [i, ref] of refs.entries()) {
      await run('docker', ['rmi', ref])
      await run('docker', ['pull', ref], { timeoutMs: 120_000 })
      expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe(`many ${i}`)
    }

    // Distribution 2.8 serves the collected folder: every kept image pulls through it.
    await berth.close()
    const distribution = await startDistribution(berth.dataDir)
    try {
      for (const [i, name] of ['st/keep', ...many.map((_, j) => `st/many${j}`)].entries()) {
        const ref = `${distribution.host}/${name}:1`
        localImages.push(ref)
        await run('docker', ['pull', ref], { timeoutMs: 120_000 })
        expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe(i === 0 ? 'kept' : `many ${i - 1}`)
      }
    } finally {
      await distribution.close()
    }
    berth = await startBerth({ dataDir: berth.dataDir })

    // A just-collected layer pushes again at once: no stale "already exists".
    const again = `${berth.host}/st/gone:1`
    await run('docker', ['tag', gone, again])
    localImages.push(again)
    const out = await run('docker', ['push', again], { timeoutMs: 120_000 })
    expect(out).toMatch(/Pushed/)
    await run('docker', ['rmi', again])
    await run('docker', ['pull', again])
    expect((await run('docker', ['run', '--rm', '--network', 'none', again])).trim()).toBe('gone and back')
  })

  it('usage names every repository, and the service runs a collection with progress events while serving', async () => {
    const usage = await storageUsage(berth.storage)
    expect(usage.repositories.map((r) => r.name)).toEqual(expect.arrayContaining(['st/keep', 'st/gone', 'st/many0']))
    for (const r of usage.repositories) expect(r.uniqueBytes + r.sharedBytes).toBe(r.totalBytes)
    // Every repository shares the busybox base layer.
    expect(usage.repositories.every((r) => r.sharedBytes > 0)).toBe(true)

    const { service, progress, call } = await startStorageService()
    try {
      const host = service.registry.status().pullHost
      const ref = `${host}/svc/app:1`
      await run('docker', ['tag', keep, ref])
      localImages.push(ref)
      await run('docker', ['push', ref])
      await call('catalog.deleteTag', { repository: 'svc/app', tag: '1' })
      const before = await call('storage.usage')
      expect(before.manifests.untagged).toBe(1)
      const dry = await call('storage.gc', { dryRun: true, untagged: true })
      expect(dry.manifests).toHaveLength(1)
      expect(dry.freedBytes).toBe(before.blobs.bytes)
      const real = await call('storage.gc', { untagged: true })
      expect(real.freedBytes).toBe(dry.freedBytes)
      expect(progress.some((p) => p.operation === 'gc' && p.phase === 'sweeping')).toBe(true)
      expect(progress.some((p) => p.operation === 'gc' && p.finished)).toBe(true)
      const after = await call('storage.usage')
      expect(after.blobs.count).toBe(0)
      // The same image pushes again at once, then the repository goes whole.
      await run('docker', ['push', ref])
      const repo = await call('storage.deleteRepository', { repository: 'svc/app', collect: true })
      expect(repo).toMatchObject({ tags: 1 })
      expect((await call('catalog.repositories')).items.map((r) => r.name)).not.toContain('svc/app')
      const fail = await dispatch(service.api, 'storage.open', { dataDir: BERTH_BIN })
      expect(fail.ok).toBe(false)
    } finally {
      await service.dispose()
    }
  })

  it('berth verify finds a blob corrupted on purpose and names it with the tags it breaks; berth gc refuses a folder being served', async () => {
    const digests = await imageDigests(berth.url, 'st/keep', '1')
    const layer = digests[digests.length - 1]
    const ok = await runBerth(['verify', '--data', berth.dataDir])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/all good/)
    const file = berth.storage.blobs.dataPath({ algorithm: 'sha256', hex: layer.slice(7), value: layer })
    const original = await readFile(file)
    const broken = Buffer.from(original)
    broken[broken.length >> 1] ^= 0xff
    await writeFile(file, broken)
    try {
      const bad = await runBerth(['verify', '--data', berth.dataDir])
      expect(bad.code).toBe(1)
      expect(bad.stdout).toContain(`corrupt ${layer}`)
      expect(bad.stdout).toContain('st/keep:1')
    } finally {
      await writeFile(file, original)
    }
    // The in-process registry in this test does not write serving.json (only the service does), so start a real serve.
    const refused = await (async () => {
      const { spawnServe } = await import('../helpers/berth')
      const serve = await spawnServe(['--data', berth.dataDir, '--no-ui'])
      try {
        return await runBerth(['gc', '--data', berth.dataDir])
      } finally {
        serve.proc.kill('SIGTERM')
        await serve.exited
      }
    })()
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/is serving/)
    const dry = await runBerth(['gc', '--dry-run', '--data', berth.dataDir])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/Dry run: would free/)
  })

  it('a move killed half-way leaves the original intact; a second move completes and the copy is served', async () => {
    const source = await tempDir('berth-move-src-')
    // Big enough to be caught in the middle: four 96 MiB blobs, linked into a repository.
    const blobs = join(source, 'docker', 'registry', 'v2', 'blobs', 'sha256')
    const sums: string[] = []
    for (let i = 0; i < 4; i++) {
      const bytes = randomBytes(96 * 1024 * 1024)
      const hex = createHash('sha256').update(bytes).digest('hex')
      await mkdir(join(blobs, hex.slice(0, 2), hex), { recursive: true })
      await writeFile(join(blobs, hex.slice(0, 2), hex, 'data'), bytes)
      const link = join(source, 'docker', 'registry', 'v2', 'repositories', 'big', '_layers', 'sha256', hex)
      await mkdir(link, { recursive: true })
      await writeFile(join(link, 'link'), `sha256:${hex}`)
      sums.push(hex)
    }
    const parent = await tempDir('berth-move-dst-')
    const target = join(parent, 'moved')
    const proc = spawn(process.execPath, [BERTH_BIN, 'move', target, '--data', source], { stdio: ['ignore', 'pipe', 'pipe'] })
    await new Promise<void>((resolve) => proc.stderr.on('data', (d: Buffer) => d.toString().includes('copying') && resolve()))
    proc.kill('SIGKILL')
    await new Promise((r) => proc.on('exit', r))
    // The original is whole, and nothing sits under the name the user chose.
    for (const hex of sums) expect(createHash('sha256').update(await readFile(join(blobs, hex.slice(0, 2), hex, 'data'))).digest('hex')).toBe(hex)
    expect(await readdir(parent).then((e) => e.filter((n) => !n.startsWith('.')))).toEqual([])
    const done = await runBerth(['move', target, '--data', source])
    expect(done.code).toBe(0)
    expect(done.stdout).toMatch(/verified/)
    const verified = await runBerth(['verify', '--data', target])
    expect(verified.code).toBe(0)
    await rm(source, { recursive: true, force: true })
  })

  it('opens a folder docker-registry wrote, then moves it with the registry paused: verified copy, switched, old folder kept, images still pull', async () => {
    const foreign = await tempDir('berth-st-foreign-')
    const distribution = await startDistribution(foreign)
    const ref = `${distribution.host}/foreign/app:1`
    try {
      await run('docker', ['tag', keep, ref])
      localImages.push(ref)
      await run('docker', ['push', ref])
    } finally {
      await distribution.close()
    }
    const { service, progress, call } = await startStorageService()
    try {
      const looked = await call('storage.inspectFolder', { dataDir: join(foreign, 'docker', 'registry', 'v2') })
      expect(looked).toMatchObject({ dataDir: foreign, isRegistry: true, repositories: 1 })
      await call('storage.open', { dataDir: foreign })
      expect(service.registry.status()).toMatchObject({ state: 'running', dataDir: foreign })
      expect((await call('catalog.repositories')).items.map((r) => r.name)).toEqual(['foreign/app'])
      expect((await call('storage.gc', { dryRun: true })).blobs).toEqual([])

      const target = join(await tempDir('berth-st-moved-'), 'registry')
      const moved = await call('storage.move', { target })
      expect(moved).toMatchObject({ from: foreign, to: target })
      expect(progress.some((p) => p.operation === 'move' && p.phase === 'copying')).toBe(true)
      expect(service.registry.status()).toMatchObject({ state: 'running', dataDir: target })
      expect((await readdir(join(foreign, 'docker', 'registry', 'v2'))).sort()).toEqual(['blobs', 'repositories'])
      const host = service.registry.status().pullHost
      const pulled = `${host}/foreign/app:1`
      localImages.push(pulled)
      await run('docker', ['pull', pulled])
      expect((await run('docker', ['run', '--rm', '--network', 'none', pulled])).trim()).toBe('kept')
      // A folder with other things in it is not taken over.
      const busy = await tempDir('berth-st-busy-')
      await writeFile(join(busy, 'notes.txt'), 'mine')
      const refused = await dispatch(service.api, 'storage.open', { dataDir: busy })
      expect(refused.ok).toBe(false)
      if (!refused.ok) expect(refused.error.message).toMatch(/no registry data/)
    } finally {
      await service.dispose()
    }
  })

  it('finds Docker volumes with registry data and the registry:2 containers using them', async () => {
    await ensureBaseImage()
    const volume = `berth-st-${RUN}-vol`
    const registryImage = `registry:2`
    const hadRegistryImage = (await run('docker', ['images', '-q', registryImage])).trim() !== ''
    // Nothing can be pulled here: the busybox base stands in for registry:2 (only its name matters).
    if (!hadRegistryImage) await run('docker', ['tag', BASE_IMAGE, registryImage])
    await run('docker', ['volume', 'create', volume])
    const container = `berth-st-${RUN}-registry`
    try {
      await run('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/var/lib/registry`, BASE_IMAGE, 'sh', '-c', 'mkdir -p /var/lib/registry/docker/registry/v2/repositories/old/app/_manifests /var/lib/registry/docker/registry/v2/blobs'])
      await run('docker', ['run', '-d', '--network', 'none', '--name', container, '-v', `${volume}:/var/lib/registry`, registryImage, 'sleep', '300'])
      const listed = await runBerth(['volumes'])
      expect(listed.code).toBe(0)
      expect(listed.stdout).toMatch(new RegExp(`volume ${volume}: 1 repositories; serve it with --data \\S+; used by ${container} \\(registry:2, running\\)`))
      const { service } = await startStorageService(false)
      try {
        const r = await dispatch(service.api, 'storage.dockerVolumes', undefined)
        if (!r.ok) throw new Error(r.error.message)
        const found = (r.result as ApiOutput<'storage.dockerVolumes'>).find((v) => v.name === volume)
        expect(found).toMatchObject({ kind: 'volume', repositories: 1 })
        expect(found!.containers.map((c) => c.name)).toContain(container)
        expect(found!.mountpoint).toBeTruthy()
        const opened = await dispatch(service.api, 'storage.openVolume', { name: volume })
        expect(opened.ok).toBe(true)
        expect(service.registry.status().dataDir).toBe(found!.mountpoint)
        const missing = await dispatch(service.api, 'storage.openVolume', { name: 'no-such-volume' })
        expect(!missing.ok && missing.error.code).toBe('NOT_FOUND')
        const repos = await dispatch(service.api, 'catalog.repositories', undefined)
        expect(repos.ok && (repos.result as ApiOutput<'catalog.repositories'>).items.map((i) => i.name)).toEqual(['old/app'])
      } finally {
        await service.dispose()
      }
    } finally {
      await run('docker', ['rm', '-f', container]).catch(() => {})
      await run('docker', ['volume', 'rm', '-f', volume]).catch(() => {})
      if (!hadRegistryImage) await run('docker', ['rmi', registryImage]).catch(() => {})
    }
  })
})
