import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { dispatch } from '../../src/main/service/dispatch'
import type { ApiOutput, MethodName } from '../../src/shared/contract'
import { NAME_RULE } from '../../src/shared/reference'
import { freePort } from '../helpers/distribution'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { buildSleeper, imageExists, inspectImage, startService } from '../helpers/service-harness'

// The service behind the contract, over the real embedded registry and the real Docker engine.
// Every call goes through dispatch(), so inputs are validated exactly as over IPC and HTTP.

const RUN = `${process.pid}`

describeWith({ docker: true }, 'the service over the real registry and Docker engine', () => {
  let s: Awaited<ReturnType<typeof startService>>
  let pullHost: string
  let image: string
  let imageFacts: Awaited<ReturnType<typeof inspectImage>>
  /** Local tags and containers to remove at the end, whatever happened. */
  const localRefs: string[] = []
  const containers: string[] = []
  const message = `hello from the service test ${RUN}`

  beforeAll(async () => {
    s = await startService()
    pullHost = (await s.call('registry.status')).pullHost
    image = await buildImage(`berth-it-svc/app:${RUN}`, { layers: 3, layerBytes: 1024 * 1024, message })
    localRefs.push(image)
    imageFacts = await inspectImage(image)
  })

  afterAll(async () => {
    for (const c of containers) await run('docker', ['rm', '-f', c]).catch(() => {})
    await s?.service.dispose()
    for (const ref of localRefs) await run('docker', ['rmi', '-f', ref]).catch(() => {})
    if (s) await rm(s.dataDir, { recursive: true, force: true })
  })

  it('docker.status: reachable at the default socket, with versions', async () => {
    const status = await s.call('docker.status')
    expect(status.reachable).toBe(true)
    expect(status.problem).toBeNull()
    expect(status.endpoint).toEqual({ source: 'default', address: 'unix:///var/run/docker.sock', context: null })
    expect(status.engineVersion).toMatch(/^\d+\.\d+/)
    expect(status.apiVersion).toMatch(/^1\.\d+$/)
    expect(status.os).toMatch(/^linux\//)
    expect(status.flavour).toBe('engine')
    const cli = (await run('docker', ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}'])).trim()
    expect(`${status.engineVersion} ${status.apiVersion}`).toBe(cli)
  })

  it('docker.images lists the built image; dangling images only when asked', async () => {
    // A dangling image of our own: build a tag, then build the same tag again (the first loses its name).
    const dangling = await buildImage(`berth-it-svc/dangling:${RUN}`, { layers: 1, layerBytes: 1024, message: `dangling ${RUN}` })
    const danglingId = (await inspectImage(dangling)).id
    await buildImage(dangling, { layers: 1, layerBytes: 1024, message: `dangling ${RUN} again` })
    expect((await inspectImage(dangling)).id).not.toBe(danglingId)
    try {
      const images = await s.call('docker.images')
      const mine = images.find((i) => i.tags.includes(image))
      expect(mine).toBeDefined()
      expect(mine).toMatchObject({ id: imageFacts.id, dangling: false })
      expect(mine!.size).toBeGreaterThan(3 * 1024 * 1024)
      expect(Date.parse(mine!.created)).toBeGreaterThan(Date.now() - 3_600_000)
      expect(images.every((i) => !i.dangling && i.tags.length > 0)).toBe(true)
      expect(images.some((i) => i.id === danglingId)).toBe(false)
      const all = await s.call('docker.images', { includeDangling: true })
      expect(all.find((i) => i.id === danglingId)).toMatchObject({ dangling: true, tags: [] })
    } finally {
      await run('docker', ['rmi', '-f', danglingId]).catch(() => {})
      await run('docker', ['rmi', '-f', dangling]).catch(() => {})
    }
  })

  it('docker.push: a transfer id at once, per-layer progress, done with a digest; the catalog follows', async () => {
    const since = s.mark()
    const t0 = Date.now()
    const started = await s.call('docker.push', { image, repository: 'svc/app', tag: '1' })
    expect(started.reference).toBe(`${pullHost}/svc/app:1`)
    localRefs.push(started.reference)
    // "At once": the push is still running when the call answers.
    expect(s.service.transfers.get(started.transferId)?.state).toBe('running')
    expect((await s.call('transfers.list')).find((t) => t.id === started.transferId)?.state).toBe('running')

    const done = await s.finished(started.transferId)
    expect(done.error).toBeNull()
    expect(done).toMatchObject({ kind: 'push', state: 'done', source: image, target: started.reference })
    expect(done.overall.percent).toBe(100)
    expect(done.overall.layersDone).toBe(done.layers.length)
    expect(done.digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(done.endedAt).not.toBeNull()
    expect(done.layers).toHaveLength(imageFacts.layers.length)
    for (const l of done.layers) expect(['done', 'exists', 'mounted']).toContain(l.phase)

    const all = s.progress(started.transferId)
    expect(all[0].state).toBe('running')
    expect(all.filter((t) => t.state !== 'running')).toHaveLength(1)
    const before = all.slice(0, -1)
    expect(before.some((t) => t.layers.some((l) => l.phase === 'uploading' || l.phase === 'waiting'))).toBe(true)
    // Percentages never go backwards, and 100 means every layer is there.
    const percents = all.map((t) => t.overall.percent)
    expect(percents).toEqual([...percents].sort((a, b) => a - b))
    for (const t of before) if (t.overall.layersDone < t.overall.layers) expect(t.overall.percent).toBeLessThan(100)

    await expect.poll(() => s.events('catalog.changed', since).some((c) => c.repository === 'svc/app' && c.action === 'push')).toBe(true)

    const repos = await s.call('catalog.repositories')
    expect(repos.total).toBe(1)
    const app = repos.items.find((r) => r.name === 'svc/app')!
    expect(app).toMatchObject({ name: 'svc/app', tagCount: 1 })
    expect(app.totalSize).toBeGreaterThan(3 * 1024 * 1024)
    expect(app.uniqueSize).toBe(app.totalSize)
    expect(Date.parse(app.lastPush!)).toBeGreaterThanOrEqual(t0 - 1000)

    const tags = await s.call('catalog.tags', { repository: 'svc/app' })
    expect(tags).toHaveLength(1)
    expect(tags[0]).toMatchObject({ tag: '1', digest: done.digest, kind: 'image', platforms: [], attestations: 0 })
    expect(tags[0].size).toBe(app.totalSize)
    expect(Date.parse(tags[0].pushedAt)).toBeGreaterThanOrEqual(t0 - 1000)
    expect(tags[0].created).not.toBeNull()
    expect(Number.isNaN(Date.parse(tags[0].created!))).toBe(false)

    const detail = await s.call('catalog.manifest', { repository: 'svc/app', reference: '1' })
    expect(detail).toMatchObject({ repository: 'svc/app', digest: done.digest, kind: 'image', tags: ['1'] })
    expect(detail.layers).toHaveLength(imageFacts.layers.length)
    expect(detail.config?.digest).toBe(imageFacts.id)
    expect(detail.image?.cmd).toEqual(['cat', '/message.txt'])
    expect(detail.image?.cmd).toEqual(imageFacts.cmd)
    expect(detail.image?.env).toEqual(imageFacts.env ?? [])
    // Base (1) + one COPY per layer file + the message + CMD (no layer).
    expect(detail.image?.history.length).toBeGreaterThanOrEqual(imageFacts.layers.length + 1)
    expect(detail.image?.history.filter((h) => !h.emptyLayer)).toHaveLength(imageFacts.layers.length)
    expect(detail.image?.history.at(-1)?.createdBy).toMatch(/CMD \["cat" "\/message\.txt"\]/)
    // The same manifest by digest.
    expect((await s.call('catalog.manifest', { repository: 'svc/app', reference: done.digest! })).digest).toBe(done.digest)
    expect((await s.call('catalog.pullCommand', { repository: 'svc/app', reference: done.digest! })).reference).toBe(`${pullHost}/svc/app@${done.digest}`)
  })

  it('the registry reports its activity', async () => {
    // At most one event a second: wait for the one that counts the whole push.
    await expect.poll(() => s.events('registry.activity').at(-1)?.bytesIn ?? 0, { timeout: 5000 }).toBeGreaterThan(3 * 1024 * 1024)
    const last = s.events('registry.activity').at(-1)!
    expect(last.requests).toBeGreaterThan(5)
    expect(last.bytesOut).toBeGreaterThan(0)
    expect(Date.parse(last.at)).toBeGreaterThan(Date.now() - 60_000)
  })

  it('the same image into a second repository: layers mounted or already there, sizes shared', async () => {
    const { transferId, reference } = await s.call('docker.push', { image, repository: 'svc/copy', tag: '1' })
    localRefs.push(reference)
    const done = await s.finished(transferId)
    expect(done.error).toBeNull()
    expect(done.state).toBe('done')
    expect(done.layers).toHaveLength(imageFacts.layers.length)
    for (const l of done.layers) expect(['mounted', 'exists']).toContain(l.phase)

    const { items } = await s.call('catalog.repositories', { filter: 'svc/' })
    expect(items.map((r) => r.name).sort()).toEqual(['svc/app', 'svc/copy'])
    for (const r of items) {
      expect(r.tagCount).toBe(1)
      expect(r.uniqueSize).toBeLessThan(r.totalSize)
    }
    expect(items[0].totalSize).toBe(items[1].totalSize)
    // The filter and paging work on names.
    expect((await s.call('catalog.repositories', { filter: 'COPY' })).items.map((r) => r.name)).toEqual(['svc/copy'])
    expect(await s.call('catalog.repositories', { offset: 1, limit: 1 })).toMatchObject({ total: 2, items: [{ name: 'svc/copy' }] })
  })

  it('catalog.retag into another repository works without Docker; docker pulls and runs the new tag', async () => {
    const since = s.mark()
    const digest = (await s.call('catalog.tags', { repository: 'svc/app' }))[0].digest
    const r = await s.call('catalog.retag', { repository: 'svc/app', reference: '1', targetRepository: 'svc/promoted', targetTag: 'prod' })
    expect(r).toEqual({ digest, reference: `${pullHost}/svc/promoted:prod` })
    localRefs.push(r.reference)
    expect(s.events('catalog.changed', since)).toContainEqual({ repository: 'svc/promoted', action: 'retag', reference: 'prod' })
    expect(await s.call('catalog.tags', { repository: 'svc/promoted' })).toMatchObject([{ tag: 'prod', digest }])

    const pulled = await run('docker', ['pull', r.reference])
    expect(pulled).toContain(digest)
    const out = await run('docker', ['run', '--rm', '--network', 'none', r.reference])
    expect(out.trim()).toBe(message)
    expect(await s.call('catalog.pullCommand', { repository: 'svc/promoted', reference: 'prod' })).toEqual({ command: `docker pull ${r.reference}`, reference: r.reference })
  })

  it('docker.pull brings a registry tag back into the engine; docker.removeImage removes it', async () => {
    const ref = `${pullHost}/svc/app:1`
    await run('docker', ['rmi', ref]).catch(() => {})
    expect(await imageExists(ref)).toBe(false)
    const started = await s.call('docker.pull', { repository: 'svc/app', reference: '1' })
    expect(started.reference).toBe(ref)
    const done = await s.finished(started.transferId)
    expect(done.error).toBeNull()
    expect(done).toMatchObject({ kind: 'pull', state: 'done' })
    expect(done.overall.percent).toBe(100)
    expect(done.digest).toBe((await s.call('catalog.tags', { repository: 'svc/app' }))[0].digest)
    expect((await s.call('docker.images')).find((i) => i.tags.includes(ref))?.id).toBe(imageFacts.id)

    const { removed } = await s.call('docker.removeImage', { image: ref })
    expect(removed).toContain(ref)
    expect(await imageExists(ref)).toBe(false)
    expect((await s.call('docker.images')).some((i) => i.tags.includes(ref))).toBe(false)
    // The image itself stays under its other tag.
    expect(await imageExists(image)).toBe(true)

    // By digest: the engine records the registry digest.
    const digest = done.digest!
    const byDigest = await s.call('docker.pull', { repository: 'svc/app', reference: digest })
    expect(byDigest.reference).toBe(`${pullHost}/svc/app@${digest}`)
    localRefs.push(byDigest.reference)
    expect((await s.finished(byDigest.transferId)).state).toBe('done')
    expect((await s.call('docker.images')).find((i) => i.digests.includes(byDigest.reference))?.id).toBe(imageFacts.id)

    // docker.tag names a local image for this registry without pushing.
    const tagged = await s.call('docker.tag', { image, repository: 'svc/tagged', tag: 'local' })
    expect(tagged.reference).toBe(`${pullHost}/svc/tagged:local`)
    localRefs.push(tagged.reference)
    expect((await inspectImage(tagged.reference)).id).toBe(imageFacts.id)
    const noImage = await s.fail('docker.tag', { image: `berth-it-svc/none:${RUN}`, repository: 'svc/tagged', tag: 'x' })
    expect(noImage).toMatchObject({ code: 'NOT_FOUND', message: `Docker has no image berth-it-svc/none:${RUN}. Check the name with docker images.` })
    const noPush = await s.fail('docker.push', { image: `berth-it-svc/none:${RUN}`, repository: 'svc/tagged', tag: 'x' })
    expect(noPush.code).toBe('NOT_FOUND')

    const missing = await s.fail('docker.removeImage', { image: ref })
    expect(missing.code).toBe('NOT_FOUND')
    expect(missing.message).toContain(ref)
    // Pulling a tag the registry does not have ends in a readable transfer error.
    const nope = await s.call('docker.pull', { repository: 'svc/app', reference: 'nope' })
    const failed = await s.finished(nope.transferId)
    expect(failed.state).toBe('error')
    expect(failed.error?.code).toBe('TRANSFER_FAILED')
    expect(failed.error?.message).toMatch(new RegExp(`^The registry at ${pullHost} has no such repository, tag or digest \\(.*svc/app:nope.*manifest unknown`))
  })

  it('docker.run starts a container from a registry image (pulling it first); ports with network none', async () => {
    const sleeper = await buildSleeper(`berth-it-svc/sleeper:${RUN}`)
    localRefs.push(sleeper)
    const pushed = await s.call('docker.push', { image: sleeper, repository: 'svc/sleeper', tag: '1' })
    localRefs.push(pushed.reference)
    expect((await s.finished(pushed.transferId)).state).toBe('done')
    await run('docker', ['rmi', pushed.reference])

    const name = `berth-it-run-${RUN}`
    containers.push(name)
    const started = await s.call('docker.run', { repository: 'svc/sleeper', reference: '1', ports: [], name, network: 'none' })
    expect(started.name).toBe(name)
    expect(started.containerId).toMatch(/^[a-f0-9]{64}$/)
    expect(started.command).toBe(`docker run -d --name ${name} --network none ${pushed.reference}`)
    const ps = await run('docker', ['ps', '--no-trunc', '--filter', `id=${started.containerId}`, '--format', '{{.ID}} {{.Image}} {{.State}}'])
    expect(ps.trim()).toBe(`${started.containerId} ${pushed.reference} running`)
    await run('docker', ['rm', '-f', name])

    // The same name again while it exists is a conflict, said as such.
    const again = await s.call('docker.run', { repository: 'svc/sleeper', reference: '1', name, network: 'none' })
    const conflict = await s.fail('docker.run', { repository: 'svc/sleeper', reference: '1', name, network: 'none' })
    expect(conflict.code).toBe('CONFLICT')
    expect(conflict.message).toContain(name)
    await run('docker', ['rm', '-f', again.containerId])

    // Port publishing with --network none: either it runs (the engine ignores the ports) or a readable refusal.
    const hostPort = await freePort()
    const withPorts = await dispatch(s.service.api, 'docker.run', { repository: 'svc/sleeper', reference: '1', ports: [{ host: hostPort, container: 80 }], network: 'none' })
    if (withPorts.ok) {
      const { containerId, command } = withPorts.result as ApiOutput<'docker.run'>
      containers.push(containerId)
      expect(command).toContain(`-p 127.0.0.1:${hostPort}:80`)
      const state = (await run('docker', ['inspect', '-f', '{{.State.Status}}', containerId])).trim()
      expect(state).toBe('running')
      // …and, like `docker run --network none -p`, the engine silently publishes nothing.
      expect((await run('docker', ['port', containerId])).trim()).toBe('')
    } else {
      expect(['DOCKER_FAILED', 'PORT_IN_USE', 'CONFLICT']).toContain(withPorts.error.code)
      expect(withPorts.error.message).toMatch(/^Docker could not|port/i)
      expect(withPorts.error.message).not.toMatch(/Something went wrong inside Berth/)
    }

    // Without a network the engine's default (bridge) is used: absent here, which must be a readable error too.
    const bridge = await dispatch(s.service.api, 'docker.run', { repository: 'svc/sleeper', reference: '1' })
    if (bridge.ok) containers.push((bridge.result as ApiOutput<'docker.run'>).containerId)
    else {
      expect(bridge.error.code).toBe('DOCKER_FAILED')
      expect(bridge.error.message).toMatch(/^Docker could not (create|start) the container: .+/)
    }

    // An unknown tag cannot be run: the pull fails with advice.
    const unknown = await s.fail('docker.run', { repository: 'svc/sleeper', reference: 'nope', network: 'none' })
    expect(unknown.code).toBe('TRANSFER_FAILED')
    expect(unknown.message).toMatch(new RegExp(`^The registry at ${pullHost} has no such repository, tag or digest \\(.*svc/sleeper:nope`))
    const unknownRepo = await s.fail('docker.run', { repository: 'svc/none', reference: '1', network: 'none' })
    expect(unknownRepo.code).toBe('TRANSFER_FAILED')
    expect(unknownRepo.message).toMatch(/has no such repository, tag or digest \(.*repository svc\/none is not known to this registry/)
  })

  it('catalog.deleteTag and catalog.deleteManifest delete and tell; unknown tags and bad names are refused plainly', async () => {
    const since = s.mark()
    await s.call('catalog.deleteTag', { repository: 'svc/copy', tag: '1' })
    expect(s.events('catalog.changed', since)).toContainEqual({ repository: 'svc/copy', action: 'untag', reference: '1' })
    expect(await s.call('catalog.tags', { repository: 'svc/copy' })).toEqual([])
    expect((await s.call('catalog.repositories', { filter: 'svc/copy' })).items[0]).toMatchObject({ tagCount: 0 })

    // Two tags on one manifest: deleting the manifest removes both.
    await s.call('catalog.retag', { repository: 'svc/promoted', reference: 'prod', targetRepository: 'svc/promoted', targetTag: 'stable' })
    const digest = (await s.call('catalog.tags', { repository: 'svc/promoted' }))[0].digest
    const del = await s.call('catalog.deleteManifest', { repository: 'svc/promoted', digest })
    expect(del.ok).toBe(true)
    expect([...del.tags].sort()).toEqual(['prod', 'stable'])
    expect(s.events('catalog.changed', since)).toContainEqual({ repository: 'svc/promoted', action: 'delete', reference: digest })
    expect(await s.call('catalog.tags', { repository: 'svc/promoted' })).toEqual([])
    const gone = await s.fail('catalog.manifest', { repository: 'svc/promoted', reference: digest })
    expect(gone.code).toBe('NOT_FOUND')
    // Registry clients see the same: the manifest is gone over HTTP.
    const head = await fetch(`http://127.0.0.1:${(await s.call('registry.status')).port}/v2/svc/promoted/manifests/${digest}`, { method: 'HEAD' })
    expect(head.status).toBe(404)
    // svc/app still has it.
    expect((await s.call('catalog.tags', { repository: 'svc/app' }))[0].digest).toBe(digest)

    const unknownTag = await s.fail('catalog.deleteTag', { repository: 'svc/app', tag: 'nope' })
    expect(unknownTag).toMatchObject({ code: 'NOT_FOUND', message: 'svc/app has no tag nope.' })
    const unknownManifest = await s.fail('catalog.deleteManifest', { repository: 'svc/app', digest: `sha256:${'0'.repeat(64)}` })
    expect(unknownManifest.code).toBe('NOT_FOUND')
    expect(unknownManifest.message).toContain(`sha256:${'0'.repeat(64)}`)
    const unknownRepo = await s.fail('catalog.tags', { repository: 'svc/none' })
    expect(unknownRepo).toMatchObject({ code: 'NOT_FOUND', message: 'There is no repository svc/none in this registry.' })
    const unknownRef = await s.fail('catalog.retag', { repository: 'svc/app', reference: 'nope', targetRepository: 'svc/x', targetTag: '1' })
    expect(unknownRef.code).toBe('NOT_FOUND')

    const badName = await s.fail('catalog.deleteTag', { repository: 'Svc/App', tag: '1' })
    expect(badName.code).toBe('INVALID_INPUT')
    expect(badName.message).toBe(`repository: A repository name is ${NAME_RULE}.`)
    const badPush = await s.fail('docker.push', { image, repository: 'svc//app', tag: '1' })
    expect(badPush.code).toBe('INVALID_INPUT')
    expect(badPush.message).toContain(NAME_RULE)
    const badTag = await s.fail('catalog.deleteTag', { repository: 'svc/app', tag: '-x' })
    expect(badTag.code).toBe('INVALID_INPUT')
    expect(badTag.message).toMatch(/^tag: A tag is letters/)
    const badDigest = await s.fail('catalog.deleteManifest', { repository: 'svc/app', digest: 'sha256:abc' })
    expect(badDigest).toMatchObject({ code: 'INVALID_INPUT', message: 'digest: A digest looks like sha256:<64 hex digits>.' })
    const extra = await s.fail('catalog.tags', { repository: 'svc/app', extra: 1 })
    expect(extra.code).toBe('INVALID_INPUT')
    const unknownMethod = await s.fail('catalog.explode' as MethodName)
    expect(unknownMethod.code).toBe('UNKNOWN_METHOD')
    // Nothing of that touched svc/app.
    expect(await s.call('catalog.tags', { repository: 'svc/app' })).toHaveLength(1)
  })
})
