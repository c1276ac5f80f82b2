import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BERTH_BIN, spawnServe, startBerth, tempDir, type RunningBerth } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// What users do every day, with the real clients: docker, skopeo, podman and buildah against Berth.

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const localImages: string[] = []

describeWith({ docker: true, commands: ['skopeo', 'podman', 'buildah'] }, 'real clients against berth', () => {
  let berth: RunningBerth
  let image: string
  beforeAll(async () => {
    berth = await startBerth()
    image = await buildImage('berth-it/clients:src', { layers: 3, message: 'hello from the clients test' })
    localImages.push(image)
  })
  afterAll(async () => {
    await berth.close()
    for (const ref of localImages) await run('docker', ['rmi', '-f', ref]).catch(() => {})
  })

  it('docker: push, rmi, pull by tag and by digest, run; a second repository mounts the layers', async () => {
    const ref = `${berth.host}/it/docker-app:v1`
    await run('docker', ['tag', image, ref])
    localImages.push(ref)
    const pushed = await run('docker', ['push', ref])
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)![1]
    expect(((await (await fetch(`${berth.url}/v2/it/docker-app/tags/list`)).json()) as { tags: string[] }).tags).toEqual(['v1'])
    const head = await fetch(`${berth.url}/v2/it/docker-app/manifests/v1`, { method: 'HEAD', headers: { Accept: DOCKER_MANIFEST } })
    expect(head.headers.get('docker-content-digest')).toBe(digest)
    expect(head.headers.get('content-type')).toBe(DOCKER_MANIFEST)

    await run('docker', ['rmi', ref])
    await run('docker', ['pull', ref])
    expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe('hello from the clients test')
    const byDigest = `${berth.host}/it/docker-app@${digest}`
    await run('docker', ['rmi', ref])
    await run('docker', ['pull', byDigest])
    localImages.push(byDigest)
    expect((await run('docker', ['run', '--rm', '--network', 'none', byDigest])).trim()).toBe('hello from the clients test')

    const other = `${berth.host}/it/other:v1`
    await run('docker', ['tag', image, other])
    localImages.push(other)
    const second = await run('docker', ['push', other])
    expect(second).toMatch(/Mounted from it\/docker-app/)
    const again = await run('docker', ['push', ref.replace(':v1', ':v2')]).catch(async () => {
      await run('docker', ['tag', image, ref.replace(':v1', ':v2')])
      localImages.push(ref.replace(':v1', ':v2'))
      return run('docker', ['push', ref.replace(':v1', ':v2')])
    })
    expect(again).toMatch(/Layer already exists/)
  })

  it('skopeo: OCI copy, inspect, list-tags, byte-identical round trip, v2s2 copy, delete', async () => {
    const layout = await tempDir('berth-oci-')
    await run('skopeo', ['copy', '-q', `docker-daemon:${image}`, `oci:${layout}:v1`])
    const dest = `docker://${berth.host}/it/skopeo-app:v1`
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--format', 'oci', `oci:${layout}:v1`, dest])
    const raw = JSON.parse(await run('skopeo', ['inspect', '--tls-verify=false', '--raw', dest]))
    expect(raw.mediaType).toBe(OCI_MANIFEST)
    const inspect = JSON.parse(await run('skopeo', ['inspect', '--tls-verify=false', dest]))
    expect(inspect.Layers).toHaveLength(raw.layers.length)
    const tags = JSON.parse(await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${berth.host}/it/skopeo-app`]))
    expect(tags.Tags).toEqual(['v1'])

    const back = await tempDir('berth-oci-back-')
    await run('skopeo', ['copy', '-q', '--src-tls-verify=false', dest, `oci:${back}:v1`])
    const digestOf = async (dir: string) => JSON.parse(await run('skopeo', ['inspect', '--raw', `oci:${dir}:v1`]))
    expect(await digestOf(back)).toEqual(await digestOf(layout))
    expect(inspect.Digest).toBe((await fetch(`${berth.url}/v2/it/skopeo-app/manifests/v1`, { method: 'HEAD', headers: { Accept: OCI_MANIFEST } })).headers.get('docker-content-digest'))

    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--format', 'v2s2', `oci:${layout}:v1`, `docker://${berth.host}/it/skopeo-app:v2s2`])
    const v2s2 = await fetch(`${berth.url}/v2/it/skopeo-app/manifests/v2s2`, { headers: { Accept: `${DOCKER_MANIFEST}, ${OCI_MANIFEST}` } })
    expect(v2s2.headers.get('content-type')).toBe(DOCKER_MANIFEST)

    await run('skopeo', ['delete', '--tls-verify=false', dest])
    expect((await fetch(`${berth.url}/v2/it/skopeo-app/manifests/v1`)).status).toBe(404)
    expect(((await (await fetch(`${berth.url}/v2/it/skopeo-app/tags/list`)).json()) as { tags: string[] }).tags).toEqual(['v2s2'])
  })

  it('buildah pushes a multi-arch index; podman pulls the arm64 image from it', async () => {
    const root = await tempDir('berth-podman-')
    const R = ['--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', 'vfs']
    const file = join(root, 'arch.txt')
    for (const arch of ['amd64', 'arm64']) {
      await writeFile(file, `${arch}\n`)
      const c = (await run('buildah', [...R, 'from', 'scratch'])).trim()
      await run('buildah', [...R, 'copy', c, file, '/arch.txt'])
      await run('buildah', [...R, 'config', '--arch', arch, '--os', 'linux', c])
      await run('buildah', [...R, 'commit', '-q', c, `local/img-${arch}`])
    }
    await run('buildah', [...R, 'manifest', 'create', 'local/multi'])
    for (const arch of ['amd64', 'arm64']) await run('buildah', [...R, 'manifest', 'add', 'local/multi', `local/img-${arch}`])
    const ref = `${berth.host}/it/multi:v1`
    await run('buildah', [...R, 'manifest', 'push', '--all', '--tls-verify=false', 'local/multi', `docker://${ref}`])

    const res = await fetch(`${berth.url}/v2/it/multi/manifests/v1`, {
      headers: { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' }
    })
    const index = (await res.json()) as { manifests: { digest: string; platform: { architecture: string } }[] }
    expect(index.manifests.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64'])
    for (const m of index.manifests) expect((await fetch(`${berth.url}/v2/it/multi/manifests/${m.digest}`, { method: 'HEAD' })).status).toBe(200)

    const P = ['--root', join(root, 'proot'), '--runroot', join(root, 'prun'), '--storage-driver', 'vfs']
    await run('podman', [...P, 'pull', '-q', '--tls-verify=false', '--arch', 'arm64', ref])
    expect((await run('podman', [...P, 'image', 'inspect', ref, '--format', '{{.Architecture}}'])).trim()).toBe('arm64')
  })
})

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BERTH_BIN, ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    )
  })
}

describeWith({ docker: true }, 'berth serve as a process', () => {
  it('prints its address, serves docker, stops cleanly on SIGTERM and serves the same folder again', async () => {
    const dataDir = await tempDir('berth-serve-')
    const serve = await spawnServe(['--data', dataDir, '--no-ui'])
    expect(serve.stdout()).toMatch(new RegExp(`^Berth registry listening on http://127\\.0\\.0\\.1:${serve.port} \\(data: ${dataDir.replace(/[.]/g, '\\.')}\\)\\n`))
    const image = await buildImage('berth-it/serve:src', { layers: 1, message: 'served' })
    localImages.push(image)
    const ref = `${serve.host}/serve/app:1`
    await run('docker', ['tag', image, ref])
    localImages.push(ref)
    await run('docker', ['push', ref])
    serve.proc.kill('SIGTERM')
    expect(await serve.exited).toBe(0)

    const again = await spawnServe(['--data', dataDir, '--no-ui', '--port', String(serve.port)])
    try {
      await run('docker', ['rmi', ref])
      await run('docker', ['pull', ref])
      expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe('served')
    } finally {
      again.proc.kill('SIGINT')
      expect(await again.exited).toBe(0)
    }
  })

  it('with the app: prints the app line with a token', async () => {
    const serve = await spawnServe(['--data', await tempDir('berth-serve-ui-')])
    try {
      await expect.poll(() => serve.stdout(), { timeout: 5000 }).toMatch(/^Berth app on http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}$/m)
    } finally {
      serve.proc.kill('SIGTERM')
      await serve.exited
    }
  })
})

describeWith({}, 'berth serve refuses bad setups with one sentence', () => {
  let holder: Server
  let port: number
  beforeAll(async () => {
    holder = createServer()
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()))
    port = (holder.address() as { port: number }).port
  })
  afterAll(() => holder.close())

  it('a port in use', async () => {
    const r = await cli(['serve', '--port', String(port), '--data', await tempDir(), '--no-ui'])
    expect(r.code).not.toBe(0)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`))
  })
  it('a folder that cannot be written', async () => {
    const file = join(await tempDir(), 'a-file')
    await writeFile(file, 'x')
    const r = await cli(['serve', '--port', '0', '--data', join(file, 'data'), '--no-ui'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/Cannot write to the data folder .*a-file\/data \(part of the path is a file\)/)
  })
  it('an unknown option, and --help documents every option', async () => {
    const r = await cli(['serve', '--colour'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/unknown option '--colour'/)
    const help = await cli(['serve', '--help'])
    for (const opt of ['--port', '--host', '--data', '--upload-ttl', '--ui-port', '--no-ui', '--log-level']) expect(help.stdout).toContain(opt)
  })
})
