import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawnServe, tempDir, type ServeProcess } from '../helpers/berth'
import { startDistribution, type RunningDistribution } from '../helpers/distribution'
import { buildImage } from '../helpers/images'
import { getManifest, verifyContent } from '../helpers/registry-http'
import { berth } from '../helpers/remote'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { serveApi } from '../helpers/serve-api'

// The pull-through cache with a real upstream (Distribution 2.8.2 on loopback) and the real docker
// client: a pull of a repository only the upstream has goes through Berth into its data folder;
// tags are revalidated; the cache keeps serving when the upstream stops; pushes still land; a tiny
// budget evicts the least recently pulled tag through the garbage collector.

const A = 'berth-remote-cached-a:1'
const B = 'berth-remote-cached-b:1'

async function stopServe(s: ServeProcess | undefined): Promise<void> {
  if (!s || s.proc.exitCode !== null) return
  s.proc.kill('SIGTERM')
  await s.exited
}

async function blobCount(data: string): Promise<number> {
  const root = join(data, 'docker', 'registry', 'v2', 'blobs', 'sha256')
  let n = 0
  for (const p of await readdir(root).catch(() => [])) n += (await readdir(join(root, p))).length
  return n
}

describeWith({ docker: true, commands: ['docker-registry', 'skopeo'] }, 'pull-through cache', () => {
  let upstream: RunningDistribution
  let serve: ServeProcess
  let data: string
  const pulled = new Set<string>()

  beforeAll(async () => {
    await buildImage(A, { layers: 1, layerBytes: 256 * 1024, message: 'cached a' })
    await buildImage(B, { layers: 1, layerBytes: 256 * 1024, message: 'cached b' })
    upstream = await startDistribution(await tempDir('berth-remote-upstream-'))
    for (const [image, repo] of [[A, 'berth-remote/a'], [B, 'berth-remote/b']])
      await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-daemon:${image}`, `docker://${upstream.host}/${repo}:1`])
    // Only the upstream has them now: a docker pull through Berth must fetch their layers.
    for (const image of [A, B]) await run('docker', ['rmi', '-f', image])
    data = await tempDir('berth-remote-mirror-')
    serve = await spawnServe(['--data', data, '--mirror', `${upstream.url}=up`, '--mirror-ttl', '0', '--log-level', 'debug'])
  })

  afterAll(async () => {
    await stopServe(serve)
    await upstream?.close()
    for (const image of [A, B, ...pulled]) await run('docker', ['rmi', '-f', image]).catch(() => {})
  })

  async function dockerPull(ref: string): Promise<void> {
    pulled.add(ref)
    await run('docker', ['rmi', '-f', ref]).catch(() => {})
    await run('docker', ['pull', '-q', ref])
  }

  it('pulls through: docker pull via Berth of a repository only the upstream has, stored in the data folder, runnable', async () => {
    const ref = `${serve.host}/up/berth-remote/a:1`
    await dockerPull(ref)
    expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe('cached a')
    const theirs = await getManifest(upstream.url, 'berth-remote/a', '1')
    const ours = await getManifest(serve.url, 'up/berth-remote/a', '1')
    expect(ours.digest).toBe(theirs.digest)
    expect(ours.bytes.equals(theirs.bytes)).toBe(true)
    // Every blob docker fetched went into the folder verified; the rest come through on a raw GET.
    expect(await verifyContent(serve.url, 'up/berth-remote/a', ours.digest!)).toEqual({ manifests: 1, blobs: expect.any(Number) })
    const out = await berth(['verify', '--data', data])
    expect(out.code).toBe(0)
    // Names outside the prefix are not fetched from anywhere.
    expect((await getManifest(serve.url, 'berth-remote/a', '1')).status).toBe(404)
  })

  it('revalidates a cached tag with the upstream: a new push upstream is what Berth serves next', async () => {
    const original = (await getManifest(upstream.url, 'berth-remote/a', '1')).digest!
    await run('skopeo', ['copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${upstream.host}/berth-remote/b:1`, `docker://${upstream.host}/berth-remote/a:1`])
    const moved = await getManifest(upstream.url, 'berth-remote/a', '1')
    expect((await getManifest(serve.url, 'up/berth-remote/a', '1')).digest).toBe(moved.digest)
    await dockerPull(`${serve.host}/up/berth-remote/a:1`)
    expect((await run('docker', ['run', '--rm', '--network', 'none', `${serve.host}/up/berth-remote/a:1`])).trim()).toBe('cached b')
    // The upstream's a:1 back as it was (the cache keeps b's content until it next asks).
    await run('skopeo', ['copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${upstream.host}/berth-remote/a@${original}`, `docker://${upstream.host}/berth-remote/a:1`])
  })

  it('keeps serving its cache after the upstream stopped, and still takes pushes', async () => {
    await upstream.close()
    await dockerPull(`${serve.host}/up/berth-remote/a:1`)
    expect((await run('docker', ['run', '--rm', '--network', 'none', `${serve.host}/up/berth-remote/a:1`])).trim()).toBe('cached b')
    // Never fetched before: nothing to serve, an honest 404.
    expect((await getManifest(serve.url, 'up/berth-remote/b', '1')).status).toBe(404)
    const local = `docker-daemon:${serve.host}/up/berth-remote/a:1`
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', local, `docker://${serve.host}/up/pushed:1`])
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', local, `docker://${serve.host}/own/app:1`])
    expect((await getManifest(serve.url, 'up/pushed', '1')).status).toBe(200)
    expect((await getManifest(serve.url, 'own/app', '1')).status).toBe(200)
    expect(serve.stderr()).toMatch(/upstream did not answer; serving the cache/)
  })

  it('evicts the least recently pulled tag under a tiny budget, through the garbage collector, and counts hits and misses', async () => {
    await stopServe(serve)
    upstream = await startDistribution(upstream.dataDir)
    const small = await tempDir('berth-remote-budget-')
    const s = await spawnServe(['--data', small, '--mirror', `${upstream.url}=up`, '--mirror-budget', '1'])
    try {
      const api = await serveApi(s)
      // Raw pulls (every blob GET), so the folder holds each image whole whatever the engine already has.
      const b = await getManifest(upstream.url, 'berth-remote/b', '1')
      const a = await getManifest(upstream.url, 'berth-remote/a', '1')
      expect((await getManifest(s.url, 'up/berth-remote/b', '1')).digest).toBe(b.digest)
      await verifyContent(s.url, 'up/berth-remote/b', b.digest!)
      const afterB = await blobCount(small)
      await new Promise((r) => setTimeout(r, 20))
      expect((await getManifest(s.url, 'up/berth-remote/a', '1')).digest).toBe(a.digest)
      await verifyContent(s.url, 'up/berth-remote/a', a.digest!)
      await getManifest(s.url, 'up/berth-remote/a', '1')
      let status: { stats: { hits: number; misses: number; evictedTags: number }; cachedTags: number; advice: string[] } | null = null
      for (let i = 0; i < 100; i++) {
        status = await api.call('remote.mirrorStatus')
        if (status!.stats.evictedTags > 0) break
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(status!.stats.evictedTags).toBe(1)
      expect(status!.cachedTags).toBe(1)
      expect(status!.stats.misses).toBeGreaterThanOrEqual(2)
      expect(status!.stats.hits).toBeGreaterThanOrEqual(1)
      expect(status!.advice.join('\n')).toContain(`${s.host}/up/<repo>`)
      // b (pulled first) is gone from the folder, its own layers with it; a stays. (A pull of b now would fetch it again.)
      const tagDir = (repo: string) => join(small, 'docker', 'registry', 'v2', 'repositories', 'up', 'berth-remote', repo, '_manifests', 'tags', '1')
      expect(await readdir(tagDir('b')).catch(() => null)).toBeNull()
      expect(await readdir(tagDir('a'))).toContain('current')
      // What is left on disk is exactly a: its manifest, config and layers.
      const aJson = JSON.parse(a.bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] }
      const expected = new Set([a.digest!, aJson.config.digest, ...aJson.layers.map((l) => l.digest)])
      console.log(`blobs after b: ${afterB}; after a and the eviction of b: ${await blobCount(small)} (a alone: ${expected.size})`)
      expect(await blobCount(small)).toBe(expected.size)
      const bConfig = (JSON.parse(b.bytes.toString()) as { config: { digest: string } }).config.digest.slice(7)
      expect(await readdir(join(small, 'docker', 'registry', 'v2', 'blobs', 'sha256', bConfig.slice(0, 2), bConfig)).catch(() => null)).toBeNull()
      const info = await berth(['mirror', 'info', '--data', small])
      expect(info.stdout).toContain(`${s.host}/up/<repo>`)
    } finally {
      await stopServe(s)
    }
  })
})
