import { createHash, randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawnServe, startBerth, tempDir, type RunningBerth } from '../helpers/berth'
import { startDistribution } from '../helpers/distribution'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { verifyTree } from '../helpers/verify-tree'

// Berth stores exactly what CNCF Distribution 2.8 stores: each can serve the other's folder, both
// can share one folder live, and crashes or races never leave a wrong blob or a dangling tag.

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const localImages: string[] = []

async function dockerPushed(image: string, target: string): Promise<string> {
  await run('docker', ['tag', image, target])
  localImages.push(target)
  const out = await run('docker', ['push', target])
  return /digest: (sha256:[a-f0-9]{64})/.exec(out)![1]
}

async function pullAndRun(ref: string): Promise<string> {
  await run('docker', ['rmi', '-f', ref]).catch(() => {})
  await run('docker', ['pull', ref])
  localImages.push(ref)
  return (await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()
}

async function json<T>(url: string, accept?: string): Promise<T> {
  const res = await fetch(url, accept ? { headers: { Accept: accept } } : {})
  expect(res.status, url).toBe(200)
  return (await res.json()) as T
}

/** A two-platform OCI index, pushed with buildah (no container runs). */
async function pushMultiArch(host: string, ref: string): Promise<void> {
  const root = await tempDir('berth-buildah-')
  const R = ['--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', 'vfs']
  const file = join(root, 'f.txt')
  const { writeFile } = await import('node:fs/promises')
  const images: string[] = []
  for (const arch of ['amd64', 'arm64']) {
    await writeFile(file, `${arch} ${randomBytes(8).toString('hex')}\n`)
    const c = (await run('buildah', [...R, 'from', 'scratch'])).trim()
    await run('buildah', [...R, 'copy', c, file, '/f.txt'])
    await run('buildah', [...R, 'config', '--arch', arch, '--os', 'linux', c])
    await run('buildah', [...R, 'commit', '-q', c, `img-${arch}`])
    images.push(`img-${arch}`)
  }
  await run('buildah', [...R, 'manifest', 'create', 'multi'])
  for (const i of images) await run('buildah', [...R, 'manifest', 'add', 'multi', i])
  await run('buildah', [...R, 'manifest', 'push', '--all', '--tls-verify=false', 'multi', `docker://${host}/${ref}`])
}

describeWith({ docker: true, commands: ['docker-registry', 'skopeo', 'buildah'] }, 'storage compatibility with Distribution 2.8', () => {
  let image: string
  beforeAll(async () => {
    image = await buildImage('berth-it/compat:src', { layers: 3, message: 'compat says hi' })
    localImages.push(image)
  })
  afterAll(async () => {
    for (const ref of localImages) await run('docker', ['rmi', '-f', ref]).catch(() => {})
  })

  it('a folder Berth wrote is served by docker-registry: docker, OCI and multi-arch images all pull', async () => {
    const berth = await startBerth()
    const d1 = await dockerPushed(image, `${berth.host}/compat/docker:v1`)
    await dockerPushed(image, `${berth.host}/compat/docker:v2`)
    const oci = await tempDir('berth-oci-')
    await run('skopeo', ['copy', '-q', `docker-daemon:${image}`, `oci:${oci}:src`])
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--format', 'oci', `oci:${oci}:src`, `docker://${berth.host}/compat/oci:v1`])
    await pushMultiArch(berth.host, 'compat/multi:v1')
    await berth.close()
    expect(await verifyTree(berth.dataDir)).toEqual([])

    const dist = await startDistribution(berth.dataDir)
    try {
      const catalog = await json<{ repositories: string[] }>(`${dist.url}/v2/_catalog`)
      expect(catalog.repositories).toEqual(['compat/docker', 'compat/multi', 'compat/oci'])
      expect((await json<{ tags: string[] }>(`${dist.url}/v2/compat/docker/tags/list`)).tags.sort()).toEqual(['v1', 'v2'])
      expect(await pullAndRun(`${dist.host}/compat/docker:v1`)).toBe('compat says hi')
      expect(await pullAndRun(`${dist.host}/compat/docker@${d1}`)).toBe('compat says hi')
      expect(await pullAndRun(`${dist.host}/compat/oci:v1`)).toBe('compat says hi')
      const index = await json<{ manifests: { digest: string; platform: { architecture: string } }[] }>(
        `${dist.url}/v2/compat/multi/manifests/v1`,
        'application/vnd.oci.image.index.v1+json'
      )
      expect(index.manifests.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64'])
      for (const child of index.manifests) {
        const res = await fetch(`${dist.url}/v2/compat/multi/manifests/${child.digest}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })
        expect(res.status).toBe(200)
        expect(res.headers.get('docker-content-digest')).toBe(child.digest)
      }
    } finally {
      await dist.close()
    }
  })

  it('a folder docker-registry wrote (with an overwritten tag and a deleted manifest) is served by Berth', async () => {
    const dataDir = await tempDir('berth-dist-')
    const dist = await startDistribution(dataDir)
    let kept: string
    let deleted: string
    const before = Date.now()
    try {
      kept = await dockerPushed(image, `${dist.host}/legacy/app:stable`)
      const other = await buildImage('berth-it/compat:other', { layers: 1, message: 'other image' })
      localImages.push(other)
      deleted = await dockerPushed(other, `${dist.host}/legacy/app:old`)
      // Overwrite a tag: "latest" first points at `other`, then at `image`.
      await dockerPushed(other, `${dist.host}/legacy/app:latest`)
      await dockerPushed(image, `${dist.host}/legacy/app:latest`)
      const del = await fetch(`${dist.url}/v2/legacy/app/manifests/${deleted}`, { method: 'DELETE' })
      expect(del.status).toBe(202)
    } finally {
      await dist.close()
    }
    const berth = await startBerth({ dataDir })
    try {
      expect((await json<{ repositories: string[] }>(`${berth.url}/v2/_catalog`)).repositories).toEqual(['legacy/app'])
      const tags = (await json<{ tags: string[] }>(`${berth.url}/v2/legacy/app/tags/list`)).tags
      expect(tags).toContain('stable')
      expect(tags).toContain('latest')
      expect(await pullAndRun(`${berth.host}/legacy/app:latest`)).toBe('compat says hi')
      expect(await pullAndRun(`${berth.host}/legacy/app@${kept}`)).toBe('compat says hi')
      const gone = await fetch(`${berth.url}/v2/legacy/app/manifests/${deleted}`)
      expect(gone.status).toBe(404)
      const info = await berth.storage.repos.tagInfo('legacy/app', 'stable')
      expect(info!.digest.value).toBe(kept)
      expect(info!.pushedAt.getTime()).toBeGreaterThanOrEqual(before - 2000)
      expect(info!.pushedAt.getTime()).toBeLessThanOrEqual(Date.now())
    } finally {
      await berth.close()
    }
  })

  it('Berth and docker-registry share one folder live: a push to one is listed and pulled by the other', async () => {
    const dataDir = await tempDir('berth-shared-')
    const berth = await startBerth({ dataDir })
    const dist = await startDistribution(dataDir)
    try {
      await fetch(`${berth.url}/v2/_catalog`) // Berth has walked the (empty) tree once.
      await dockerPushed(image, `${dist.host}/shared/live:1`)
      await new Promise((r) => setTimeout(r, 1200))
      expect((await json<{ repositories: string[] }>(`${berth.url}/v2/_catalog`)).repositories).toContain('shared/live')
      expect((await json<{ tags: string[] }>(`${berth.url}/v2/shared/live/tags/list`)).tags).toEqual(['1'])
      expect(await pullAndRun(`${berth.host}/shared/live:1`)).toBe('compat says hi')
      await dockerPushed(image, `${berth.host}/shared/other:1`)
      expect((await json<{ repositories: string[] }>(`${dist.url}/v2/_catalog`)).repositories).toContain('shared/other')
    } finally {
      await dist.close()
      await berth.close()
    }
  })
})

describeWith({ docker: true }, 'races and crashes', () => {
  let berth: RunningBerth
  beforeAll(async () => {
    berth = await startBerth()
  })
  afterAll(async () => {
    await berth.close()
  })

  it('twenty concurrent uploads of one blob end in one correct blob and no leftovers', async () => {
    const bytes = randomBytes(2 * 1024 * 1024)
    const digest = sha(bytes)
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const start = await fetch(`${berth.url}/v2/race/r${i % 4}/blobs/uploads/`, { method: 'POST' })
        const location = start.headers.get('location')!
        const put = await fetch(`${berth.url}${location}?digest=${digest}`, { method: 'PUT', body: bytes })
        return put.status
      })
    )
    expect(results).toEqual(Array(20).fill(201))
    const hex = digest.slice(7)
    const v2 = join(berth.dataDir, 'docker/registry/v2')
    expect(await readdir(join(v2, 'blobs/sha256', hex.slice(0, 2), hex))).toEqual(['data'])
    for (let i = 0; i < 4; i++) expect(await readdir(join(v2, `repositories/race/r${i}/_uploads`)).catch(() => [])).toEqual([])
    expect(await verifyTree(berth.dataDir)).toEqual([])
    const get = await fetch(`${berth.url}/v2/race/r0/blobs/${digest}`)
    expect(sha(Buffer.from(await get.arrayBuffer()))).toBe(digest)
  })

  it('kill -9 in the middle of pushes leaves no wrong blob and no dangling tag; pushing again works', async () => {
    const dataDir = await tempDir('berth-kill-')
    const big = await buildImage('berth-it/kill:big', { layers: 4, layerBytes: 24 * 1024 * 1024, message: 'survived' })
    localImages.push(big)
    const first = await spawnServe(['--data', dataDir, '--no-ui', '--log-level', 'silent'])
    // A push over raw HTTP that stalls half-way, and a docker push, both cut by SIGKILL.
    const start = await fetch(`${first.url}/v2/kill/raw/blobs/uploads/`, { method: 'POST' })
    const location = start.headers.get('location')!
    const half = randomBytes(8 * 1024 * 1024)
    await fetch(`${first.url}${location}`, { method: 'PATCH', body: half, headers: { 'Content-Range': `0-${half.length - 1}` } })
    const target = `${first.host}/kill/app:1`
    await run('docker', ['tag', big, target])
    localImages.push(target)
    const pushing = run('docker', ['push', target]).catch((err: Error) => err.message)
    // Let the push get going, then pull the plug.
    for (let i = 0; i < 50; i++) {
      const uploads = await readdir(join(dataDir, 'docker/registry/v2/repositories/kill/app/_uploads')).catch(() => [])
      if (uploads.length > 0) break
      await new Promise((r) => setTimeout(r, 100))
    }
    await new Promise((r) => setTimeout(r, 300))
    first.proc.kill('SIGKILL')
    await first.exited
    expect(await verifyTree(dataDir)).toEqual([])

    // Back on the same port: docker's own retries of the interrupted push now complete.
    const second = await spawnServe(['--data', dataDir, '--no-ui', '--log-level', 'silent', '--port', String(first.port)])
    try {
      const outcome = await pushing
      expect(outcome).toMatch(/digest: sha256:/)
      const again = `${second.host}/kill/app:1`
      await run('docker', ['push', again])
      expect(await verifyTree(dataDir)).toEqual([])
      expect(await pullAndRun(again)).toBe('survived')
      // The half upload is still there to resume: its state lives on disk.
      const status = await fetch(`${second.url}${location}`)
      expect(status.status).toBe(204)
      expect(status.headers.get('range')).toBe(`0-${half.length - 1}`)
    } finally {
      second.proc.kill('SIGTERM')
      expect(await second.exited).toBe(0)
    }
  })
})
