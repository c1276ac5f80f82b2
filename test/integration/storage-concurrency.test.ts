import { randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { spawnServe, startBerth, tempDir } from '../helpers/berth'
import { startDistribution } from '../helpers/distribution'
import { fsck } from '../helpers/fsck'
import { catalog, errorCode, pushBlob, sha256, tags, verifyContent } from '../helpers/registry-http'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { MiB, made, sleep, build, imageId, dockerPush, forget, pullAndRun, until, v2Of, ls, uploadBytes } from '../helpers/compat'

// Berth's data folder is CNCF Distribution's: docker-registry 2.8.2 serves what Berth wrote and
// Berth serves what docker-registry wrote (overwritten tags, deletions and push times included),
// both can serve one folder at once, and races, crashes and bad digests never leave a wrong blob,
// a dangling link or a stray upload.

describeWith({ docker: true, commands: ['docker-registry', 'skopeo'] }, 'Berth under concurrent and interrupted uploads, beside Distribution 2.8', () => {
  afterAll(async () => {
    await forget(...[...made].reverse())
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
