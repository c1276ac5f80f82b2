import { execFile } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BERTH_BIN, spawnServe, startBerth, tempDir, type RunningBerth, type ServeProcess } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { DOCKER_LIST, OCI_INDEX, RUN_ID, sha256, json, removeImages, type ImageManifest, type Index } from '../helpers/clients'

// Real clients — docker, skopeo, buildah, podman — against Berth's registry, and `berth serve` as a process.
// Every suite has its own registry and data folder; local images and storage made here are removed afterwards.

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
