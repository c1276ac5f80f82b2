import { afterAll, expect, it } from 'vitest'
import { startBerth, tempDir } from '../helpers/berth'
import { startDistribution } from '../helpers/distribution'
import { fsck } from '../helpers/fsck'
import { nativeArchitecture, pushMultiArchIndex } from '../helpers/multiarch'
import { catalog, errorCode, getManifest, MediaTypes, sha256, snapshot, tags, verifyAll, verifyContent, type Snapshot } from '../helpers/registry-http'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { made, sleep, build, imageId, dockerPush, forget, pullAndRun, until, keepCalling } from '../helpers/compat'

// Berth's data folder is CNCF Distribution's: docker-registry 2.8.2 serves what Berth wrote and
// Berth serves what docker-registry wrote (overwritten tags, deletions and push times included),
// both can serve one folder at once, and races, crashes and bad digests never leave a wrong blob,
// a dangling link or a stray upload.

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
})
