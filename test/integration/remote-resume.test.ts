import type { ChildProcess } from 'node:child_process'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startBerth, tempDir } from '../helpers/berth'
import { startDistribution, type RunningDistribution } from '../helpers/distribution'
import { buildImage } from '../helpers/images'
import { getManifest } from '../helpers/registry-http'
import { berth, dockerConfigDir } from '../helpers/remote'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'

// A copy cut half-way continues where it stopped: a connection destroyed mid-blob is resumed by
// Range in the same run; a process killed mid-blob leaves its upload on disk, and the next run asks
// only for the rest. A proxy between Berth and Distribution counts what each run was sent.

const IMAGE = 'berth-remote-big:1'
const LAYER_BYTES = 24 << 20

interface Seen {
  path: string
  range: string | null
  bytes: number
}

/** Forwards to `upstream`; the first big blob response is cut (or `onCut` called) after `cutAt` bytes while `armed`. */
function proxy(upstream: number) {
  const seen: Seen[] = []
  const state = { armed: false, cutAt: 0, onCut: null as null | (() => void) }
  const server: Server = createServer((req, res) => {
    const entry: Seen = { path: req.url ?? '', range: (req.headers.range as string | undefined) ?? null, bytes: 0 }
    seen.push(entry)
    const up = request({ host: '127.0.0.1', port: upstream, path: req.url, method: req.method, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers)
      const big = Number(ur.headers['content-length'] ?? 0) > 8 << 20
      ur.on('data', (chunk: Buffer) => {
        entry.bytes += chunk.length
        // With backpressure, so what is counted is what reached the socket (not a backlog in this process).
        if (!res.write(chunk)) {
          ur.pause()
          res.once('drain', () => ur.resume())
        }
        if (big && state.armed && entry.bytes >= state.cutAt) {
          state.armed = false
          state.onCut?.()
          ur.destroy()
          res.socket?.destroy()
        }
      })
      ur.on('end', () => res.end())
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  return { server, seen, state }
}

describeWith({ docker: true, commands: ['docker-registry', 'skopeo'] }, 'a cut copy resumes', () => {
  let remote: RunningDistribution
  let p: ReturnType<typeof proxy>
  let proxyHost = ''
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    await buildImage(IMAGE, { layers: 1, layerBytes: LAYER_BYTES, message: 'big' })
    remote = await startDistribution(await tempDir('berth-remote-resume-'))
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-daemon:${IMAGE}`, `docker://${remote.host}/big/app:1`])
    p = proxy(remote.port)
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', () => r()))
    proxyHost = `127.0.0.1:${(p.server.address() as AddressInfo).port}`
    env = { ...process.env, DOCKER_CONFIG: await dockerConfigDir({}) }
  })

  afterAll(async () => {
    p?.server.closeAllConnections()
    await new Promise<void>((r) => (p ? p.server.close(() => r()) : r()))
    await remote?.close()
    await run('docker', ['rmi', '-f', IMAGE]).catch(() => {})
  })

  /** Requests for the big layer (the blob path that was sent the most bytes). */
  const bigBlob = () => {
    const blobs = p.seen.filter((s) => s.path.includes('/blobs/sha256:'))
    const top = blobs.reduce((a, b) => (b.bytes > a.bytes ? b : a))
    return blobs.filter((s) => s.path === top.path)
  }

  it('resumes a connection destroyed mid-blob by Range, in the same run, sending only the rest', async () => {
    p.seen.length = 0
    Object.assign(p.state, { armed: true, cutAt: LAYER_BYTES / 2, onCut: null })
    const data = await tempDir('berth-remote-resume-a-')
    const out = await berth(['copy', `${proxyHost}/big/app:1`, 'big/app:1', '--data', data], env)
    expect(out.stderr).not.toMatch(/berth:/)
    expect(out.code).toBe(0)
    const gets = bigBlob()
    expect(gets.length).toBe(2)
    expect(gets[0].range).toBeNull()
    expect(gets[1].range).toMatch(/^bytes=\d+-$/)
    const resumedAt = Number(/bytes=(\d+)-/.exec(gets[1].range!)![1])
    expect(resumedAt).toBeGreaterThan(LAYER_BYTES / 4)
    const served = gets[0].bytes + gets[1].bytes
    const size = resumedAt + gets[1].bytes
    console.log(`cut at ${gets[0].bytes} bytes, resumed at ${resumedAt}: ${served} bytes served for a ${size}-byte blob (${((100 * served) / size).toFixed(1)}%)`)
    // Starting the blob over would be sent 1.5 times its size (half, then all).
    expect(served).toBeLessThan(size * 1.25)
    const b = await startBerth({ dataDir: data })
    try {
      expect((await getManifest(b.url, 'big/app', '1')).status).toBe(200)
    } finally {
      await b.close()
    }
  })

  it('continues after the process was killed mid-blob: the next run asks only for the rest', async () => {
    p.seen.length = 0
    let child: ChildProcess | null = null
    Object.assign(p.state, { armed: true, cutAt: LAYER_BYTES / 2, onCut: () => child?.kill('SIGKILL') })
    const data = await tempDir('berth-remote-resume-b-')
    const killed = await berth(['copy', `${proxyHost}/big/app:1`, 'big/app:1', '--data', data], env, (proc) => (child = proc))
    expect(killed.code).toBeNull()
    const first = bigBlob()
    expect(first.length).toBe(1)

    p.seen.length = 0
    const again = await berth(['copy', `${proxyHost}/big/app:1`, 'big/app:1', '--data', data], env)
    expect(again.stderr).not.toMatch(/berth:/)
    expect(again.code).toBe(0)
    const second = bigBlob()
    expect(second.length).toBe(1)
    expect(second[0].range).toMatch(/^bytes=\d+-$/)
    const resumedAt = Number(/bytes=(\d+)-/.exec(second[0].range!)![1])
    const size = resumedAt + second[0].bytes
    console.log(`killed after ${first[0].bytes} bytes; the next run resumed at ${resumedAt} and was sent ${second[0].bytes} of ${size}`)
    // What the killed process had not yet written to disk is asked for again; the rest is not.
    expect(resumedAt).toBeGreaterThan(LAYER_BYTES / 8)
    expect(second[0].bytes).toBeLessThan(size * 0.85)
    expect(again.stdout).toMatch(/blobs? sent/)
  })
})
