import { randomBytes } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { spawnServe, startBerth, tempDir } from '../helpers/berth'
import { startDistribution } from '../helpers/distribution'
import { fsck } from '../helpers/fsck'
import { buildImage } from '../helpers/images'
import { nativeArchitecture, pushMultiArchIndex } from '../helpers/multiarch'
import {
  catalog,
  errorCode,
  getManifest,
  MediaTypes,
  pushBlob,
  sha256,
  snapshot,
  tags,
  verifyAll,
  verifyContent,
  type Snapshot
} from '../helpers/registry-http'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// Berth's data folder is CNCF Distribution's: docker-registry 2.8.2 serves what Berth wrote and
// Berth serves what docker-registry wrote (overwritten tags, deletions and push times included),
// both can serve one folder at once, and races, crashes and bad digests never leave a wrong blob,
// a dangling link or a stray upload.

const PREFIX = `berth-compat-${process.pid}`
const MiB = 1024 * 1024
/** Local image references and ids made here, removed at the end. */
const made = new Set<string>()

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function build(name: string, options: { layers: number; layerBytes?: number; message: string }): Promise<string> {
  const tag = await buildImage(`${PREFIX}/${name}:src`, options)
  made.add(tag)
  return tag
}

async function imageId(ref: string): Promise<string> {
  const id = (await run('docker', ['inspect', '--format', '{{.Id}}', ref])).trim()
  made.add(id)
  return id
}

/** Tags `local` as `target`, pushes it, returns the manifest digest docker reports. */
async function dockerPush(local: string, target: string): Promise<string> {
  await run('docker', ['tag', local, target])
  made.add(target)
  const out = await run('docker', ['push', target])
  const m = /digest: (sha256:[a-f0-9]{64})/.exec(out)
  if (!m) throw new Error(`docker push ${target} printed no digest:\n${out}`)
  return m[1]
}

/** Removes images from the engine (every tag of an id), so the next pull really downloads. */
async function forget(...refs: string[]): Promise<void> {
  for (const ref of refs) await run('docker', ['rmi', '-f', ref]).catch(() => {})
}

async function pullAndRun(ref: string): Promise<string> {
  await run('docker', ['pull', '-q', ref])
  made.add(ref)
  return (await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()
}

/** Polls `check` every 50 ms; resolves with the milliseconds it took to hold, or throws after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now()
  for (;;) {
    if (await check()) return performance.now() - started
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

/** Keeps calling `fn` (e.g. a listing, so Berth's cache stays freshly filled) until stopped. */
function keepCalling(fn: () => Promise<unknown>): { stop: () => Promise<void> } {
  let going = true
  const loop = (async () => {
    while (going) {
      await fn()
      await sleep(100)
    }
  })()
  return {
    stop: async () => {
      going = false
      await loop
    }
  }
}

const v2Of = (dataDir: string) => join(dataDir, 'docker', 'registry', 'v2')

async function ls(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort()
}

/** Bytes in every `_uploads/<uuid>/data` of a repository. */
async function uploadBytes(dataDir: string, name: string): Promise<number> {
  const dir = join(v2Of(dataDir), 'repositories', name, '_uploads')
  let total = 0
  for (const uuid of await ls(dir)) total += (await stat(join(dir, uuid, 'data')).catch(() => ({ size: 0 }))).size
  return total
}

describeWith({ docker: true, commands: ['docker-registry', 'skopeo'] }, 'Berth and Distribution 2.8 share one storage layout', () => {
  afterAll(async () => {
    await forget(...[...made].reverse())
  })

  it('Berth → Distribution: docker, OCI and multi-arch images Berth stored are listed, served byte for byte and pulled by docker-registry', async () => {
    const [alpha, beta] = await Promise.all([
      build('alpha', { layers: 3, layerBytes: 512 * 1024, message: 'alpha from berth' }),
      build('beta', { layers: 2, message: 'beta from berth' })
    ])
    const berth = await startBerth()
    let stored: Snapshot
    let alphaDigest: string
    let betaDigest: string
    let multi: Awaited<ReturnType<typeof pushMultiArchIndex>>
    try {
      alphaDigest = await dockerPush(alpha, `${berth.host}/compat/alpha:v1`)
      expect(await dockerPush(alpha, `${berth.host}/compat/alpha:v2`)).toBe(alphaDigest)
      betaDigest = await dockerPush(beta, `${berth.host}/compat/beta:v1`)
      await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--format', 'oci', `docker-daemon:${alpha}`, `docker://${berth.host}/compat/oci:v1`])
      multi = await pushMultiArchIndex(berth.url, 'compat/multi', 'v1', beta)
      stored = await snapshot(berth.url)
    } finally {
      await berth.close()
    }
    const ociDigest = stored['compat/oci']?.v1
    expect(stored).toEqual({
      'compat/alpha': { v1: alphaDigest, v2: alphaDigest },
      'compat/beta': { v1: betaDigest },
      'compat/multi': { v1: multi.index },
      'compat/oci': { v1: expect.stringMatching(/^sha256:[a-f0-9]{64}$/) }
    })
    // A cleanly stopped Berth leaves a tidy folder: no uploads, no temporary files, nothing dangling.
    expect(await fsck(berth.dataDir, { uploads: 'forbid', tempFiles: 'forbid' })).toEqual([])

    const dist = await startDistribution(berth.dataDir)
    try {
      // Same catalog, same tags, same digests.
      expect(await snapshot(dist.url)).toEqual(stored)
      // Every manifest and blob under every tag, by digest, hashed: alpha, beta, oci, index + 2 children.
      const checked = await verifyAll(dist.url, stored)
      expect(checked.manifests).toBe(6)
      // Blobs: alpha 6 (config, base, 3 data, message), beta 5, oci 6, multi 5 + 2.
      expect(checked.blobs).toBe(6 + 5 + 6 + 7)

      const oci = await getManifest(dist.url, 'compat/oci', 'v1')
      expect(oci.mediaType).toBe(MediaTypes.ociManifest)
      expect(oci.digest).toBe(ociDigest)

      // The index comes back byte for byte, and each child by digest.
      const index = await getManifest(dist.url, 'compat/multi', multi.index)
      expect(index.status).toBe(200)
      expect(index.mediaType).toBe(MediaTypes.ociIndex)
      expect(index.digest).toBe(multi.index)
      expect(index.bytes.equals(multi.indexBytes)).toBe(true)
      const listed = JSON.parse(index.bytes.toString()) as { manifests: { digest: string; platform: { architecture: string } }[] }
      expect(listed.manifests.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64'])
      for (const child of multi.children) {
        const m = await getManifest(dist.url, 'compat/multi', child.digest)
        expect(m.status, child.architecture).toBe(200)
        expect(m.mediaType).toBe(MediaTypes.ociManifest)
        expect(m.digest).toBe(child.digest)
        expect(sha256(m.bytes)).toBe(child.digest)
        const config = await fetch(`${dist.url}/v2/compat/multi/blobs/${child.config}`)
        expect(config.status).toBe(200)
        expect(((await config.json()) as { architecture: string }).architecture).toBe(child.architecture)
      }

      // Docker pulls every image from docker-registry after forgetting every local copy, and runs them.
      await forget(await imageId(alpha), await imageId(beta))
      expect(await pullAndRun(`${dist.host}/compat/alpha:v1`)).toBe('alpha from berth')
      expect(await pullAndRun(`${dist.host}/compat/alpha@${alphaDigest}`)).toBe('alpha from berth')
      expect(await pullAndRun(`${dist.host}/compat/beta:v1`)).toBe('beta from berth')
      expect(await pullAndRun(`${dist.host}/compat/oci:v1`)).toBe('alpha from berth')
      expect(await pullAndRun(`${dist.host}/compat/multi:v1`)).toBe('beta from berth')
      const pulledArch = (await run('docker', ['inspect', '--format', '{{.Architecture}}', `${dist.host}/compat/multi:v1`])).trim()
      expect(pulledArch).toBe(nativeArchitecture())
    } finally {
      await dist.close()
    }
  })

  it('Distribution → Berth: a folder docker-registry wrote (overwritten tag, manifest deleted by digest) is served and pulled by Berth, with push times', async () => {
    const [gamma, delta] = await Promise.all([
      build('gamma', { layers: 2, message: 'gamma from distribution' }),
      build('delta', { layers: 1, message: 'delta from distribution' })
    ])
    const dataDir = await tempDir('berth-compat-dist-')
    const dist = await startDistribution(dataDir)
    let written: Snapshot
    let stable: string
    let doomed: string
    const times: Record<string, [number, number]> = {}
    try {
      let t = Date.now()
      stable = await dockerPush(gamma, `${dist.host}/legacy/app:stable`)
      times.stable = [t, Date.now()]
      doomed = await dockerPush(delta, `${dist.host}/legacy/app:old`)
      // "latest" first names delta, then (over a second later, so the times differ) gamma.
      expect(await dockerPush(delta, `${dist.host}/legacy/app:latest`)).toBe(doomed)
      await sleep(1100)
      t = Date.now()
      expect(await dockerPush(gamma, `${dist.host}/legacy/app:latest`)).toBe(stable)
      times.latest = [t, Date.now()]
      // The same manifest in another repository is unaffected by the deletion below.
      expect(await dockerPush(delta, `${dist.host}/legacy/other:1`)).toBe(doomed)
      const del = await fetch(`${dist.url}/v2/legacy/app/manifests/${doomed}`, { method: 'DELETE' })
      expect(del.status).toBe(202)
      written = await snapshot(dist.url)
    } finally {
      await dist.close()
    }
    // Distribution dropped the tag that named the deleted manifest.
    expect(written).toEqual({ 'legacy/app': { latest: stable, stable }, 'legacy/other': { '1': doomed } })
    expect(await fsck(dataDir, { uploads: 'forbid' })).toEqual([])

    const berth = await startBerth({ dataDir })
    try {
      expect(await snapshot(berth.url)).toEqual(written)
      const checked = await verifyAll(berth.url, written)
      expect(checked.manifests).toBe(2)

      // Deleted stays deleted: by digest, by its old tag, in the tags list; the other repository keeps it.
      const byDigest = await fetch(`${berth.url}/v2/legacy/app/manifests/${doomed}`, { headers: { Accept: MediaTypes.dockerManifest } })
      expect(byDigest.status).toBe(404)
      expect(await errorCode(byDigest)).toBe('MANIFEST_UNKNOWN')
      expect((await getManifest(berth.url, 'legacy/app', 'old')).status).toBe(404)
      expect(await tags(berth.url, 'legacy/app')).toEqual(['latest', 'stable'])
      expect((await getManifest(berth.url, 'legacy/other', doomed)).status).toBe(200)
      expect(await berth.storage.repos.tagInfo('legacy/app', 'old')).toBeNull()

      // Push times come from the folder itself: when docker-registry wrote each tag.
      const stableInfo = await berth.storage.repos.tagInfo('legacy/app', 'stable')
      const latestInfo = await berth.storage.repos.tagInfo('legacy/app', 'latest')
      expect(stableInfo?.digest.value).toBe(stable)
      expect(latestInfo?.digest.value).toBe(stable)
      for (const [info, [from, to]] of [[stableInfo, times.stable], [latestInfo, times.latest]] as const) {
        expect(info!.pushedAt).toBeInstanceOf(Date)
        expect(info!.pushedAt.getTime()).toBeGreaterThanOrEqual(from - 1000)
        expect(info!.pushedAt.getTime()).toBeLessThanOrEqual(to + 1000)
      }
      expect(latestInfo!.pushedAt.getTime()).toBeGreaterThan(stableInfo!.pushedAt.getTime())

      // Docker pulls from Berth, with nothing left locally.
      await forget(await imageId(gamma), await imageId(delta))
      expect(await pullAndRun(`${berth.host}/legacy/app:latest`)).toBe('gamma from distribution')
      expect(await pullAndRun(`${berth.host}/legacy/app@${stable}`)).toBe('gamma from distribution')
      expect(await pullAndRun(`${berth.host}/legacy/app:stable`)).toBe('gamma from distribution')
      expect(await pullAndRun(`${berth.host}/legacy/other:1`)).toBe('delta from distribution')
      await expect(run('docker', ['pull', '-q', `${berth.host}/legacy/app:old`])).rejects.toThrow(/not found|unknown/i)
    } finally {
      await berth.close()
    }
    expect(await fsck(dataDir, { uploads: 'forbid' })).toEqual([])
  })

  it('live sharing: what docker-registry stores in a folder Berth serves shows up in Berth within 1.5 s, and the other way round', async () => {
    const epsilon = await build('epsilon', { layers: 2, message: 'live from distribution' })
    const dataDir = await tempDir('berth-compat-live-')
    const berth = await startBerth({ dataDir })
    const dist = await startDistribution(dataDir)
    try {
      expect(await catalog(berth.url)).toEqual([])
      // Berth's catalog is requested all along, so it is always freshly cached when the push lands.
      let seenAt = 0
      const watcher = keepCalling(async () => {
        if (!seenAt && (await catalog(berth.url)).includes('shared/live')) seenAt = performance.now()
      })
      let digest: string
      let pushedAt: number
      try {
        digest = await dockerPush(epsilon, `${dist.host}/shared/live:1`)
        pushedAt = performance.now()
        await until(async () => seenAt > 0, 5000, 'shared/live in Berth’s catalog')
      } finally {
        await watcher.stop()
      }
      expect(seenAt - pushedAt).toBeLessThanOrEqual(1500)
      expect(await tags(berth.url, 'shared/live')).toEqual(['1'])
      expect((await getManifest(berth.url, 'shared/live', '1', 'HEAD')).digest).toBe(digest)
      await verifyContent(berth.url, 'shared/live', digest)
      await forget(await imageId(epsilon))
      expect(await pullAndRun(`${berth.host}/shared/live:1`)).toBe('live from distribution')

      // A tag added by docker-registry to a repository whose tag list Berth has cached.
      expect(await tags(berth.url, 'shared/live')).toEqual(['1'])
      const tagWatcher = keepCalling(() => tags(berth.url, 'shared/live'))
      try {
        expect(await dockerPush(`${berth.host}/shared/live:1`, `${dist.host}/shared/live:2`)).toBe(digest)
      } finally {
        await tagWatcher.stop()
      }
      expect(await until(async () => (await tags(berth.url, 'shared/live')).includes('2'), 1500, 'tag 2 in Berth’s tags list')).toBeLessThanOrEqual(1500)

      // The other way: Berth stores, docker-registry lists and serves it at once.
      const back = await dockerPush(`${berth.host}/shared/live:1`, `${berth.host}/shared/back:1`)
      expect(await catalog(dist.url)).toEqual(['shared/back', 'shared/live'])
      expect(await tags(dist.url, 'shared/back')).toEqual(['1'])
      await verifyContent(dist.url, 'shared/back', back)

      // A deletion through docker-registry is seen by Berth: the manifest at once, the tags within 1.5 s.
      expect((await fetch(`${dist.url}/v2/shared/live/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202)
      expect((await getManifest(berth.url, 'shared/live', digest)).status).toBe(404)
      await until(async () => (await tags(berth.url, 'shared/live')).length === 0, 1500, 'shared/live tags gone in Berth')
      expect((await getManifest(berth.url, 'shared/back', back)).status).toBe(200)
    } finally {
      await dist.close()
      await berth.close()
    }
    expect(await fsck(dataDir, { uploads: 'forbid' })).toEqual([])
  })

  it('twenty concurrent uploads of one blob into one repository end in one correct blob, twenty 201s and no leftovers', async () => {
    const berth = await startBerth()
    try {
      const bytes = randomBytes(4 * MiB)
      const digest = sha256(bytes)
      const hex = digest.slice('sha256:'.length)
      const name = 'race/same'
      const answers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          let res: Response
          if (i % 2 === 0) {
            // POST, then a monolithic PUT ?digest= with the whole body.
            const start = await fetch(`${berth.url}/v2/${name}/blobs/uploads/`, { method: 'POST' })
            expect(start.status).toBe(202)
            res = await fetch(`${berth.url}${start.headers.get('location')}?digest=${digest}`, { method: 'PUT', body: bytes })
          } else {
            // A single POST ?digest= with the body.
            res = await fetch(`${berth.url}/v2/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes })
          }
          await res.arrayBuffer()
          return { status: res.status, digest: res.headers.get('docker-content-digest') }
        })
      )
      expect(answers).toEqual(Array(20).fill({ status: 201, digest }))

      const v2 = v2Of(berth.dataDir)
      const blobs = join(v2, 'blobs', 'sha256')
      expect(await ls(blobs)).toEqual([hex.slice(0, 2)])
      expect(await ls(join(blobs, hex.slice(0, 2)))).toEqual([hex])
      expect(await ls(join(blobs, hex.slice(0, 2), hex))).toEqual(['data'])
      expect(sha256(await readFile(join(blobs, hex.slice(0, 2), hex, 'data')))).toBe(digest)
      const repo = join(v2, 'repositories', name)
      expect(await ls(join(repo, '_uploads'))).toEqual([])
      expect(await ls(join(repo, '_layers', 'sha256'))).toEqual([hex])
      expect(await ls(join(repo, '_layers', 'sha256', hex))).toEqual(['link'])
      expect(await readFile(join(repo, '_layers', 'sha256', hex, 'link'), 'utf8')).toBe(digest)
      expect(await fsck(berth.dataDir, { uploads: 'forbid', tempFiles: 'forbid' })).toEqual([])

      const get = await fetch(`${berth.url}/v2/${name}/blobs/${digest}`)
      expect(get.status).toBe(200)
      expect(sha256(Buffer.from(await get.arrayBuffer()))).toBe(digest)
    } finally {
      await berth.close()
    }
  })

  it('kill -9 in the middle of a chunked upload and a docker push leaves no wrong blob and nothing dangling; restarted, pushes complete and the upload resumes', async () => {
    const [big, small] = await Promise.all([
      build('big', { layers: 3, layerBytes: 16 * MiB, message: 'survived the kill' }),
      build('small', { layers: 1, message: 'pushed before the kill' })
    ])
    const dataDir = await tempDir('berth-compat-kill-')
    const serveArgs = ['--data', dataDir, '--no-ui', '--log-level', 'silent']
    const first = await spawnServe(serveArgs)
    const second = { current: null as Awaited<ReturnType<typeof spawnServe>> | null }
    try {
      // Something finished before the crash, which must survive it.
      const before = await dockerPush(small, `${first.host}/kill/before:1`)

      // A 64 MiB blob PATCHed as one streamed body: the first 16 MiB at once, then 1 MiB every 250 ms.
      const raw = randomBytes(64 * MiB)
      const rawDigest = sha256(raw)
      const start = await fetch(`${first.url}/v2/kill/raw/blobs/uploads/`, { method: 'POST' })
      expect(start.status).toBe(202)
      const location = start.headers.get('location')!
      let offset = 0
      let cancelled = false
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (offset >= 16 * MiB) await sleep(250)
          if (cancelled) return
          if (offset >= raw.length) return controller.close()
          controller.enqueue(raw.subarray(offset, offset + MiB))
          offset += MiB
        },
        cancel() {
          cancelled = true
        }
      })
      const patching = fetch(`${first.url}${location}`, {
        method: 'PATCH',
        body,
        duplex: 'half',
        headers: { 'Content-Type': 'application/octet-stream' }
      } as RequestInit).then(
        (res) => `answered ${res.status}`,
        (err: Error) => `failed: ${err.message}`
      )

      // docker push of three 16 MiB layers at the same time.
      const target = `${first.host}/kill/app:1`
      await run('docker', ['tag', big, target])
      made.add(target)
      const pushing = run('docker', ['push', target], { timeoutMs: 120_000 }).then(
        (out) => ({ ok: true, out }),
        (err: Error) => ({ ok: false, out: err.message })
      )
      await until(
        async () => (await uploadBytes(dataDir, 'kill/raw')) >= 16 * MiB && (await uploadBytes(dataDir, 'kill/app')) >= MiB,
        60_000,
        'both uploads under way'
      )
      first.proc.kill('SIGKILL')
      await first.exited
      expect(await patching).toMatch(/^failed/)

      // The crash left a partial upload and no blob for it, and nothing wrong anywhere.
      const partial = await uploadBytes(dataDir, 'kill/raw')
      expect(partial).toBeGreaterThanOrEqual(16 * MiB)
      expect(partial).toBeLessThan(raw.length)
      const rawHex = rawDigest.slice('sha256:'.length)
      await expect(stat(join(v2Of(dataDir), 'blobs', 'sha256', rawHex.slice(0, 2), rawHex, 'data'))).rejects.toThrow()
      expect(await fsck(dataDir)).toEqual([])

      // Restarted on the same folder and port.
      second.current = await spawnServe([...serveArgs, '--port', String(first.port)])
      const server = second.current
      await verifyContent(server.url, 'kill/before', before)
      // The interrupted push retries against the new process; whatever it ends in, a new push completes.
      await pushing
      const pushed = await run('docker', ['push', target])
      const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)?.[1]
      expect(digest).toMatch(/^sha256:/)
      expect(await fsck(dataDir)).toEqual([])
      expect(await tags(server.url, 'kill/app')).toEqual(['1'])
      await verifyContent(server.url, 'kill/app', digest!)
      await forget(await imageId(big))
      expect(await pullAndRun(target)).toBe('survived the kill')

      // The raw upload's bytes survived on disk: its status says how far it got, and it can be finished.
      const status = await fetch(`${server.url}${location}`)
      expect(status.status).toBe(204)
      expect(status.headers.get('range')).toBe(`0-${partial - 1}`)
      const rest = await fetch(`${server.url}${location}`, {
        method: 'PATCH',
        body: raw.subarray(partial),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${partial}-${raw.length - 1}` }
      })
      expect(rest.status).toBe(202)
      const done = await fetch(`${server.url}${location}?digest=${rawDigest}`, { method: 'PUT' })
      expect(done.status).toBe(201)
      const back = await fetch(`${server.url}/v2/kill/raw/blobs/${rawDigest}`)
      expect(sha256(Buffer.from(await back.arrayBuffer()))).toBe(rawDigest)
      expect(await fsck(dataDir)).toEqual([])
    } finally {
      if (first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill('SIGKILL')
      if (second.current) {
        second.current.proc.kill('SIGTERM')
        expect(await second.current.exited).toBe(0)
      }
    }
  })

  it('a monolithic upload with the wrong digest gets 400 DIGEST_INVALID (as from docker-registry) and leaves no blob and no upload', async () => {
    const berth = await startBerth()
    const dist = await startDistribution(await tempDir('berth-compat-digest-'))
    try {
      const bytes = randomBytes(256 * 1024)
      const wrong = sha256('not these bytes')
      const answers: Record<string, Record<string, unknown>> = {}
      for (const [who, url] of [['berth', berth.url], ['distribution', dist.url]] as const) {
        // POST, then PUT ?digest= with the whole body.
        const start = await fetch(`${url}/v2/bad/put/blobs/uploads/`, { method: 'POST' })
        const location = new URL(start.headers.get('location')!, url)
        const putUrl = new URL(location)
        putUrl.searchParams.set('digest', wrong)
        const put = await fetch(putUrl, { method: 'PUT', body: bytes })
        const afterwards = await fetch(location)
        // POST, PATCH the bytes, then PUT ?digest= without a body.
        const start2 = await fetch(`${url}/v2/bad/patch/blobs/uploads/`, { method: 'POST' })
        const location2 = new URL(start2.headers.get('location')!, url)
        const patch = await fetch(location2, { method: 'PATCH', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })
        const put2Url = new URL(patch.headers.get('location')!, url)
        put2Url.searchParams.set('digest', wrong)
        const put2 = await fetch(put2Url, { method: 'PUT' })
        answers[who] = {
          put: [put.status, await errorCode(put)],
          uploadAfterwards: afterwards.status,
          patch: patch.status,
          putAfterPatch: [put2.status, await errorCode(put2)]
        }
      }
      expect(answers.berth).toEqual({ put: [400, 'DIGEST_INVALID'], uploadAfterwards: 404, patch: 202, putAfterPatch: [400, 'DIGEST_INVALID'] })
      expect(answers.berth).toEqual(answers.distribution)

      // The single-request form (POST ?digest=), which docker-registry 2.8 does not offer.
      const mono = await fetch(`${berth.url}/v2/bad/mono/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: bytes })
      expect(mono.status).toBe(400)
      expect(await errorCode(mono)).toBe('DIGEST_INVALID')

      const v2 = v2Of(berth.dataDir)
      expect(await ls(join(v2, 'blobs', 'sha256'))).toEqual([])
      for (const name of ['bad/put', 'bad/patch', 'bad/mono']) {
        expect(await ls(join(v2, 'repositories', name, '_uploads')), name).toEqual([])
        expect(await ls(join(v2, 'repositories', name, '_layers')), name).toEqual([])
        expect((await fetch(`${berth.url}/v2/${name}/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status).toBe(404)
      }
      expect(await catalog(berth.url)).toEqual([])
      expect(await fsck(berth.dataDir, { uploads: 'forbid', tempFiles: 'forbid' })).toEqual([])

      // Nothing was poisoned: the right digest for the same bytes is then accepted.
      expect(await pushBlob(berth.url, 'bad/mono', bytes)).toBe(sha256(bytes))
      expect(await fsck(berth.dataDir, { uploads: 'forbid', tempFiles: 'forbid' })).toEqual([])
    } finally {
      await dist.close()
      await berth.close()
    }
  })
})
