import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { DOCKER_MANIFEST, OCI_MANIFEST, OCI_CONFIG, RUN_ID, sha256, json, removeImages, localLayerCount, layerLines, type ImageManifest, type Index } from '../helpers/clients'

// Real clients — docker, skopeo, buildah, podman — against Berth's registry, and `berth serve` as a process.
// Every suite has its own registry and data folder; local images and storage made here are removed afterwards.

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
