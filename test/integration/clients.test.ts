import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BERTH_BIN, spawnServe, startBerth, tempDir, type RunningBerth, type ServeProcess } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// Real clients — docker, skopeo, buildah, podman — against Berth's registry, and `berth serve` as a process.
// Every suite has its own registry and data folder; local images and storage made here are removed afterwards.

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'

/** Unique per run, so local image names never meet those of another run or another file. */
const RUN_ID = randomBytes(4).toString('hex')

interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { architecture: string; os: string; variant?: string }
  annotations?: Record<string, string>
}
interface ImageManifest {
  schemaVersion: number
  mediaType?: string
  config: Descriptor
  layers: Descriptor[]
}
interface Index {
  schemaVersion: number
  mediaType?: string
  manifests: Descriptor[]
}

const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res
  expect(r.status, `${r.url} answered ${r.status}`).toBe(200)
  return (await r.json()) as T
}

async function removeImages(refs: string[]): Promise<void> {
  for (const ref of refs.reverse()) await run('docker', ['rmi', '-f', ref]).catch(() => {})
}

/** Number of layers in a local image, as the engine counts them. */
async function localLayerCount(ref: string): Promise<number> {
  return Number((await run('docker', ['image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref])).trim())
}

/** The final status `docker push` printed for each layer (`<12 hex>: Preparing` … `<12 hex>: Pushed`). */
function layerLines(pushOutput: string): { id: string; status: string }[] {
  const last = new Map<string, string>()
  for (const m of pushOutput.matchAll(/^([a-f0-9]{12}): (.+)$/gm)) last.set(m[1], m[2].trim())
  return [...last].map(([id, status]) => ({ id, status }))
}

describeWith({ docker: true }, 'docker against berth', () => {
  let berth: RunningBerth
  let source: string
  let sourceId: string
  const message = `hello from docker ${RUN_ID}`
  const created: string[] = []

  beforeAll(async () => {
    berth = await startBerth()
    source = await buildImage(`berth-clients/docker:${RUN_ID}`, { layers: 3, message })
    created.push(source)
    sourceId = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', source])).trim()
  })
  afterAll(async () => {
    await removeImages(created)
    await berth?.close()
    if (berth) await rm(berth.dataDir, { recursive: true, force: true })
  })

  it('push, catalog, rmi, pull by tag and by digest, run; the same image again says "Layer already exists", another repository mounts', async () => {
    const repo = 'it/docker-app'
    const ref = `${berth.host}/${repo}:v1`
    await run('docker', ['tag', source, ref])
    created.push(ref)
    const layerCount = await localLayerCount(source)
    // The busybox base, three data layers, the message.
    expect(layerCount).toBe(5)

    const pushed = await run('docker', ['push', ref])
    const m = /^v1: digest: (sha256:[a-f0-9]{64}) size: (\d+)$/m.exec(pushed)
    expect(m, pushed).not.toBeNull()
    const [, digest, size] = m!
    const firstLines = layerLines(pushed)
    expect(firstLines, pushed).toHaveLength(layerCount)
    for (const l of firstLines) expect(l.status, pushed).toBe('Pushed')

    // What the registry says about it.
    const catalog = await json<{ repositories: string[] }>(fetch(`${berth.url}/v2/_catalog`))
    expect(catalog.repositories).toContain(repo)
    expect(await json(fetch(`${berth.url}/v2/${repo}/tags/list`))).toEqual({ name: repo, tags: ['v1'] })
    const head = await fetch(`${berth.url}/v2/${repo}/manifests/v1`, { method: 'HEAD', headers: { Accept: DOCKER_MANIFEST } })
    expect(head.status).toBe(200)
    expect(head.headers.get('docker-content-digest')).toBe(digest)
    expect(head.headers.get('content-type')).toBe(DOCKER_MANIFEST)
    expect(head.headers.get('content-length')).toBe(size)
    const got = await fetch(`${berth.url}/v2/${repo}/manifests/v1`, { headers: { Accept: DOCKER_MANIFEST } })
    const bytes = Buffer.from(await got.arrayBuffer())
    expect(sha256(bytes)).toBe(digest)
    const manifest = JSON.parse(bytes.toString()) as ImageManifest
    expect(manifest.mediaType).toBe(DOCKER_MANIFEST)
    expect(manifest.layers).toHaveLength(layerCount)
    expect(manifest.config.digest).toBe(sourceId)
    for (const blob of [manifest.config, ...manifest.layers]) {
      const b = await fetch(`${berth.url}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' })
      expect(b.status, blob.digest).toBe(200)
      expect(b.headers.get('content-length')).toBe(String(blob.size))
      expect(b.headers.get('docker-content-digest')).toBe(blob.digest)
    }

    // Gone locally (every tag of the image), then back from Berth by tag.
    await run('docker', ['rmi', ref, source])
    await expect(run('docker', ['image', 'inspect', sourceId])).rejects.toThrow(/No such image/i)
    const pulled = await run('docker', ['pull', ref])
    expect(pulled).toContain(`Digest: ${digest}`)
    expect(pulled).toMatch(/Downloaded newer image/)
    expect((await run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref])).trim()).toBe(sourceId)
    expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe(message)

    // By digest.
    await run('docker', ['rmi', ref])
    await expect(run('docker', ['image', 'inspect', sourceId])).rejects.toThrow(/No such image/i)
    const byDigest = `${berth.host}/${repo}@${digest}`
    const pulledByDigest = await run('docker', ['pull', byDigest])
    created.push(byDigest)
    expect(pulledByDigest).toContain(`Digest: ${digest}`)
    expect((await run('docker', ['image', 'inspect', '--format', '{{.Id}}', byDigest])).trim()).toBe(sourceId)
    expect((await run('docker', ['run', '--rm', '--network', 'none', byDigest])).trim()).toBe(message)

    // A second tag in the same repository: nothing to upload, same manifest.
    const v2 = `${berth.host}/${repo}:v2`
    await run('docker', ['tag', byDigest, v2])
    created.push(v2)
    const again = await run('docker', ['push', v2])
    const againLines = layerLines(again)
    expect(againLines, again).toHaveLength(layerCount)
    for (const l of againLines) expect(l.status, again).toBe('Layer already exists')
    expect(again).toMatch(new RegExp(`^v2: digest: ${digest} size: ${size}$`, 'm'))
    expect(await json(fetch(`${berth.url}/v2/${repo}/tags/list`))).toEqual({ name: repo, tags: ['v1', 'v2'] })

    // Another repository: docker knows the layers came from it/docker-app on this registry and mounts them.
    const other = `${berth.host}/it/other:v1`
    await run('docker', ['tag', byDigest, other])
    created.push(other)
    const mounted = await run('docker', ['push', other])
    const mountedLines = layerLines(mounted)
    expect(mountedLines, mounted).toHaveLength(layerCount)
    for (const l of mountedLines) expect(l.status, mounted).toBe(`Mounted from ${repo}`)
    expect(mounted).toMatch(new RegExp(`^v1: digest: ${digest} size: ${size}$`, 'm'))
    expect((await json<{ repositories: string[] }>(fetch(`${berth.url}/v2/_catalog`))).repositories).toEqual(
      expect.arrayContaining([repo, 'it/other'])
    )
    // The mounted blobs are linked into it/other: readable there.
    for (const blob of manifest.layers) expect((await fetch(`${berth.url}/v2/it/other/blobs/${blob.digest}`, { method: 'HEAD' })).status).toBe(200)
  })
})

/** The manifest an OCI layout's index.json names for `tag`, with its bytes. */
async function layoutManifest(dir: string, tag: string): Promise<{ digest: string; bytes: Buffer }> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Index
  const entry = index.manifests.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === tag)
  expect(entry, `tag ${tag} in ${dir}/index.json`).toBeDefined()
  const bytes = await readFile(join(dir, 'blobs', ...entry!.digest.split(':')))
  expect(sha256(bytes)).toBe(entry!.digest)
  return { digest: entry!.digest, bytes }
}

describeWith({ docker: true, commands: ['skopeo'] }, 'skopeo against berth', () => {
  let berth: RunningBerth
  let source: string
  const dirs: string[] = []
  const created: string[] = []

  beforeAll(async () => {
    berth = await startBerth()
    source = await buildImage(`berth-clients/skopeo:${RUN_ID}`, { layers: 3, message: `hello from skopeo ${RUN_ID}` })
    created.push(source)
  })
  afterAll(async () => {
    await removeImages(created)
    await berth?.close()
    for (const d of [...dirs, berth?.dataDir]) if (d) await rm(d, { recursive: true, force: true })
  })

  it('OCI copy, inspect, raw, list-tags, byte-identical round trip, v2s2 copy, delete', async () => {
    const repo = 'it/skopeo-app'
    const layout = await tempDir('berth-clients-oci-')
    dirs.push(layout)
    await run('skopeo', ['copy', '-q', `docker-daemon:${source}`, `oci:${layout}:v1`])
    const original = await layoutManifest(layout, 'v1')
    const originalManifest = JSON.parse(original.bytes.toString()) as ImageManifest
    expect(originalManifest.layers).toHaveLength(await localLayerCount(source))

    // Up, in OCI media types.
    const dest = `docker://${berth.host}/${repo}:v1`
    const digestFile = join(layout, '..', `${RUN_ID}-digest`)
    dirs.push(digestFile)
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--format', 'oci', '--digestfile', digestFile, `oci:${layout}:v1`, dest])
    const pushedDigest = (await readFile(digestFile, 'utf8')).trim()
    expect(pushedDigest).toBe(original.digest)
    const head = await fetch(`${berth.url}/v2/${repo}/manifests/v1`, { method: 'HEAD', headers: { Accept: OCI_MANIFEST } })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe(OCI_MANIFEST)
    expect(head.headers.get('docker-content-digest')).toBe(pushedDigest)

    const inspect = JSON.parse(await run('skopeo', ['inspect', '--tls-verify=false', dest])) as { Digest: string; Layers: string[]; Name: string }
    expect(inspect.Digest).toBe(pushedDigest)
    expect(inspect.Name).toBe(`${berth.host}/${repo}`)
    expect(inspect.Layers).toEqual(originalManifest.layers.map((l) => l.digest))
    expect(inspect.Layers).toHaveLength(5)

    const rawText = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', dest])
    expect(sha256(rawText)).toBe(pushedDigest)
    const raw = JSON.parse(rawText) as ImageManifest
    expect(raw.mediaType).toBe(OCI_MANIFEST)
    expect(raw.config.mediaType).toBe(OCI_CONFIG)
    for (const l of raw.layers) expect(l.mediaType).toMatch(/^application\/vnd\.oci\.image\.layer\.v1\.tar(\+gzip|\+zstd)?$/)

    const tags = JSON.parse(await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${berth.host}/${repo}`]))
    expect(tags).toEqual({ Repository: `${berth.host}/${repo}`, Tags: ['v1'] })

    // Down again into a fresh layout: the very same manifest bytes, and every blob intact.
    const back = await tempDir('berth-clients-oci-back-')
    dirs.push(back)
    await run('skopeo', ['copy', '-q', '--src-tls-verify=false', dest, `oci:${back}:v1`])
    const returned = await layoutManifest(back, 'v1')
    expect(returned.digest).toBe(original.digest)
    expect(returned.bytes.equals(original.bytes)).toBe(true)
    for (const blob of [raw.config, ...raw.layers]) {
      const data = await readFile(join(back, 'blobs', ...blob.digest.split(':')))
      expect(data.length).toBe(blob.size)
      expect(sha256(data)).toBe(blob.digest)
    }

    // Docker schema 2 to another tag: served with its own type.
    const v2s2Digest = join(layout, '..', `${RUN_ID}-digest-v2s2`)
    dirs.push(v2s2Digest)
    await run('skopeo', [
      'copy', '-q', '--dest-tls-verify=false', '--format', 'v2s2', '--digestfile', v2s2Digest, `oci:${layout}:v1`, `docker://${berth.host}/${repo}:v2s2`
    ])
    const v2s2 = await fetch(`${berth.url}/v2/${repo}/manifests/v2s2`, { headers: { Accept: `${OCI_MANIFEST}, ${DOCKER_MANIFEST}` } })
    expect(v2s2.status).toBe(200)
    expect(v2s2.headers.get('content-type')).toBe(DOCKER_MANIFEST)
    const v2s2Bytes = Buffer.from(await v2s2.arrayBuffer())
    expect(sha256(v2s2Bytes)).toBe((await readFile(v2s2Digest, 'utf8')).trim())
    expect(JSON.parse(v2s2Bytes.toString()).mediaType).toBe(DOCKER_MANIFEST)
    expect(sha256(v2s2Bytes)).not.toBe(pushedDigest)
    expect(await json(fetch(`${berth.url}/v2/${repo}/tags/list`))).toEqual({ name: repo, tags: ['v1', 'v2s2'] })

    // Delete v1 (skopeo deletes the manifest by digest): the tag is gone, v2s2 stays.
    await run('skopeo', ['delete', '--tls-verify=false', dest])
    const gone = await fetch(`${berth.url}/v2/${repo}/manifests/v1`, { headers: { Accept: OCI_MANIFEST } })
    expect(gone.status).toBe(404)
    expect(((await gone.json()) as { errors: { code: string }[] }).errors[0].code).toBe('MANIFEST_UNKNOWN')
    expect((await fetch(`${berth.url}/v2/${repo}/manifests/${pushedDigest}`, { headers: { Accept: OCI_MANIFEST } })).status).toBe(404)
    expect(await json(fetch(`${berth.url}/v2/${repo}/tags/list`))).toEqual({ name: repo, tags: ['v2s2'] })
    const listed = JSON.parse(await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${berth.host}/${repo}`]))
    expect(listed.Tags).toEqual(['v2s2'])
    await expect(run('skopeo', ['inspect', '--tls-verify=false', '--raw', dest])).rejects.toThrow(/manifest unknown/i)
  })
})

describeWith({ commands: ['buildah', 'podman', 'skopeo'] }, 'buildah and podman: a multi-arch index', () => {
  let berth: RunningBerth
  let root: string
  // Private stores (vfs needs no kernel support), so nothing here touches the machine's own images.
  let B: string[]
  let P: string[]

  beforeAll(async () => {
    berth = await startBerth()
    root = await tempDir('berth-clients-containers-')
    B = ['--root', join(root, 'buildah'), '--runroot', join(root, 'buildah-run'), '--storage-driver', 'vfs']
    P = ['--root', join(root, 'podman'), '--runroot', join(root, 'podman-run'), '--storage-driver', 'vfs', '--events-backend', 'none']
  })
  afterAll(async () => {
    if (root) {
      await run('buildah', [...B, 'rm', '--all']).catch(() => {})
      await run('buildah', [...B, 'rmi', '--all', '--force']).catch(() => {})
      await run('podman', [...P, 'rmi', '--all', '--force']).catch(() => {})
      await rm(root, { recursive: true, force: true })
    }
    await berth?.close()
    if (berth) await rm(berth.dataDir, { recursive: true, force: true })
  })

  it('buildah pushes an amd64+arm64 index; its children are fetchable; podman pulls the arm64 image', async () => {
    const repo = 'it/multi'
    const archs = ['amd64', 'arm64']
    for (const arch of archs) {
      const file = join(root, `arch-${arch}.txt`)
      await writeFile(file, `${arch} ${RUN_ID}\n`)
      const c = (await run('buildah', [...B, 'from', 'scratch'])).trim()
      await run('buildah', [...B, 'copy', c, file, '/arch.txt'])
      await run('buildah', [...B, 'config', '--arch', arch, '--os', 'linux', c])
      await run('buildah', [...B, 'commit', '-q', c, `localhost/clients-${arch}:${RUN_ID}`])
      await run('buildah', [...B, 'rm', c])
    }
    const list = `localhost/clients-multi:${RUN_ID}`
    await run('buildah', [...B, 'manifest', 'create', list])
    for (const arch of archs) await run('buildah', [...B, 'manifest', 'add', list, `localhost/clients-${arch}:${RUN_ID}`])
    const ref = `${berth.host}/${repo}:v1`
    await run('buildah', [...B, 'manifest', 'push', '--all', '--tls-verify=false', list, `docker://${ref}`])

    // The index, asked for in either list type.
    const res = await fetch(`${berth.url}/v2/${repo}/manifests/v1`, { headers: { Accept: `${OCI_INDEX}, ${DOCKER_LIST}` } })
    expect(res.status).toBe(200)
    const type = res.headers.get('content-type')
    expect([OCI_INDEX, DOCKER_LIST]).toContain(type)
    const bytes = Buffer.from(await res.arrayBuffer())
    expect(res.headers.get('docker-content-digest')).toBe(sha256(bytes))
    const index = JSON.parse(bytes.toString()) as Index
    expect(index.schemaVersion).toBe(2)
    if (index.mediaType) expect(index.mediaType).toBe(type)
    expect(index.manifests).toHaveLength(2)
    expect(index.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64'])

    // Each child: by digest, in its own type, with a config that agrees about the platform.
    const children: Record<string, string> = {}
    for (const d of index.manifests) {
      const child = await fetch(`${berth.url}/v2/${repo}/manifests/${d.digest}`, { headers: { Accept: d.mediaType } })
      expect(child.status, d.digest).toBe(200)
      expect(child.headers.get('content-type')).toBe(d.mediaType)
      const childBytes = Buffer.from(await child.arrayBuffer())
      expect(childBytes.length).toBe(d.size)
      expect(sha256(childBytes)).toBe(d.digest)
      const manifest = JSON.parse(childBytes.toString()) as ImageManifest
      expect(manifest.layers).toHaveLength(1)
      const config = await json<{ architecture: string; os: string }>(fetch(`${berth.url}/v2/${repo}/blobs/${manifest.config.digest}`))
      expect(config.architecture).toBe(d.platform!.architecture)
      expect(config.os).toBe('linux')
      children[d.platform!.architecture] = d.digest
    }

    // podman picks the arm64 image out of the index.
    await run('podman', [...P, 'pull', '-q', '--tls-verify=false', '--arch', 'arm64', ref])
    const [arch, os, digest, repoDigests] = (
      await run('podman', [...P, 'image', 'inspect', '--format', '{{.Architecture}} {{.Os}} {{.Digest}} {{json .RepoDigests}}', ref])
    ).trim().split(' ')
    expect(arch).toBe('arm64')
    expect(os).toBe('linux')
    // podman records the digest it was pulled by (the index) and, among its repo digests, the arm64 instance's.
    expect(digest).toBe(sha256(bytes))
    expect((JSON.parse(repoDigests) as string[]).sort()).toEqual([`${berth.host}/${repo}@${sha256(bytes)}`, `${berth.host}/${repo}@${children.arm64}`].sort())
    // And its content is the arm64 one.
    const mounted = (await run('podman', [...P, 'image', 'mount', ref])).trim()
    try {
      expect(await readFile(join(mounted, 'arch.txt'), 'utf8')).toBe(`arm64 ${RUN_ID}\n`)
    } finally {
      await run('podman', [...P, 'image', 'unmount', ref]).catch(() => {})
    }
  })
})

/** `node bin/berth.js <args>`, to its end (killed after 20 s: a serve that should have refused but listens fails the test). */
function cli(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BERTH_BIN, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: string | null }) | null
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr })
    })
  })
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describeWith({ docker: true }, 'berth serve as a process', () => {
  const created: string[] = []
  const dirs: string[] = []
  const running: ServeProcess[] = []

  afterAll(async () => {
    for (const s of running) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL')
    await removeImages(created)
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('prints its address, takes a docker push, exits 0 on SIGTERM, and serves the same folder again', async () => {
    const dataDir = await tempDir('berth-clients-serve-')
    dirs.push(dataDir)
    const serve = await spawnServe(['--data', dataDir, '--no-ui'])
    running.push(serve)
    expect(serve.stdout()).toMatch(new RegExp(`^Berth registry listening on http://127\\.0\\.0\\.1:${serve.port} \\(data: ${escape(dataDir)}\\)\\n$`))

    const message = `hello from serve ${RUN_ID}`
    const source = await buildImage(`berth-clients/serve:${RUN_ID}`, { layers: 2, message })
    created.push(source)
    const ref = `${serve.host}/serve/app:1`
    await run('docker', ['tag', source, ref])
    created.push(ref)
    const pushed = await run('docker', ['push', ref])
    const digest = /^1: digest: (sha256:[a-f0-9]{64}) /m.exec(pushed)?.[1]
    expect(digest, pushed).toBeDefined()

    // Idle (the push is over): SIGTERM is a clean stop.
    serve.proc.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    expect(serve.stderr()).not.toMatch(/\bat .+:\d+:\d+\)?$/m) // no stack trace

    // Same folder, same port: everything is still there.
    const again = await spawnServe(['--data', dataDir, '--no-ui', '--port', String(serve.port)])
    running.push(again)
    expect(again.stdout()).toBe(`Berth registry listening on http://127.0.0.1:${serve.port} (data: ${dataDir})\n`)
    expect(await json(fetch(`${again.url}/v2/serve/app/tags/list`))).toEqual({ name: 'serve/app', tags: ['1'] })
    await run('docker', ['rmi', ref, source])
    const pulled = await run('docker', ['pull', ref])
    expect(pulled).toContain(`Digest: ${digest}`)
    expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe(message)
    again.proc.kill('SIGTERM')
    expect(await again.exited).toBe(0)
  })
})

describeWith({}, 'berth serve refuses bad setups with one sentence', () => {
  let holder: Server
  let port: number
  const dirs: string[] = []

  beforeAll(async () => {
    holder = createServer()
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()))
    port = (holder.address() as { port: number }).port
  })
  afterAll(async () => {
    await new Promise((r) => holder?.close(r))
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('a port in use', async () => {
    const data = await tempDir('berth-clients-cli-')
    dirs.push(data)
    const r = await cli(['serve', '--port', String(port), '--data', data, '--no-ui'])
    expect(r.signal, 'it should stop by itself, not be killed').toBeNull()
    expect(r.code).not.toBe(0)
    expect(r.stdout).not.toMatch(/listening/)
    const lines = r.stderr.trim().split('\n')
    expect(lines, r.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^berth: Port ${port} on 127\\.0\\.0\\.1 is already in use.*--port.*\\.$`))
  })

  it('a data folder that cannot be written (a path beneath a regular file)', async () => {
    const parent = await tempDir('berth-clients-cli-')
    dirs.push(parent)
    const file = join(parent, 'a-file')
    await writeFile(file, 'not a folder')
    const data = join(file, 'data')
    const r = await cli(['serve', '--port', '0', '--data', data, '--no-ui'])
    expect(r.signal).toBeNull()
    expect(r.code).not.toBe(0)
    expect(r.stdout).toBe('')
    const lines = r.stderr.trim().split('\n')
    expect(lines, r.stderr).toHaveLength(1)
    expect(lines[0]).toBe(`berth: Cannot write to the data folder ${data} (part of the path is a file); choose another with --data.`)
  })

  it('an unknown option', async () => {
    const r = await cli(['serve', '--colour', 'always'])
    expect(r.signal).toBeNull()
    expect(r.code).not.toBe(0)
    expect(r.stdout).toBe('')
    // One sentence naming the option; commander adds its one-line pointer to --help, nothing more (no usage dump, no stack).
    const lines = r.stderr.trim().split('\n')
    expect(lines[0]).toBe(`error: unknown option '--colour'`)
    expect(lines.slice(1), r.stderr).toEqual(['(run with --help for usage)'])
  })
})
