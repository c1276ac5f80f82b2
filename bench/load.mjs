// Memory under load: BENCH_PULLS (50) concurrent pulls of one BENCH_PULL_MB (64) MiB blob, then
// BENCH_PUSHES (20) concurrent pushes of BENCH_PUSH_MB (32) MiB blobs each (POST, one streamed PATCH
// without a length, PUT ?digest=), against a fresh server; every pulled body is hashed and every
// pushed blob's digest and size read back. Meanwhile one client asks GET /v2/ in a loop: its latency
// is what a `docker login` or a ping sees while the registry is busy. The server's peak RSS of each
// part is its own (VmHWM is reset between them, see servers.mjs resetPeak).
// Called by bench/run.mjs; alone: `node bench/load.mjs` (Berth then Distribution, one round).
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { MB, memory, quantile, resetPeak, sampleMemory, start, work } from './servers.mjs'

const int = (name, fallback) => {
  const v = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number ≥ 1, not ${process.env[name]}`)
  return v
}
export const LOAD = {
  pulls: int('BENCH_PULLS', 50),
  pullMiB: int('BENCH_PULL_MB', 64),
  pushes: int('BENCH_PUSHES', 20),
  pushMiB: int('BENCH_PUSH_MB', 32)
}
const CHUNK = 1 << 20

/** One HTTP exchange; `send(req)` writes the body (default: none). Resolves with status, headers and the body's bytes or hash. */
function exchange(url, { method = 'GET', headers = {}, agent, send, hashBody = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const hash = hashBody ? createHash('sha256') : null
      const chunks = []
      let size = 0
      res.on('data', (c) => {
        size += c.length
        if (hash) hash.update(c)
        else chunks.push(c)
      })
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, size, body: hash ? null : Buffer.concat(chunks), digest: hash ? `sha256:${hash.digest('hex')}` : null }))
      res.on('error', reject)
    })
    req.on('error', reject)
    if (send) send(req).catch((err) => req.destroy(err))
    else req.end()
  })
}

const write = (req, chunk) => (req.write(chunk) ? Promise.resolve() : new Promise((r) => req.once('drain', r)))

/** Blob `i`: BENCH_*_MB chunks of one random MiB, each with its own 16-byte head, so every blob differs at no cost. */
async function sendBlob(req, base, i, mib, hash) {
  for (let j = 0; j < mib; j++) {
    const head = Buffer.alloc(16)
    head.writeUInt32BE(i, 0)
    head.writeUInt32BE(j, 4)
    hash?.update(head).update(base.subarray(16))
    await write(req, head)
    await write(req, base.subarray(16))
  }
  req.end()
}

async function pushBlob(url, name, base, i, mib, agent) {
  const started = await exchange(`${url}/v2/${name}/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': 0 }, agent })
  if (started.status !== 202) throw new Error(`POST upload: ${started.status} ${started.body}`)
  const location = new URL(started.headers.location, url).href
  const hash = createHash('sha256')
  const patched = await exchange(location, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, agent, send: (req) => sendBlob(req, base, i, mib, hash) })
  if (patched.status !== 202) throw new Error(`PATCH: ${patched.status} ${patched.body}`)
  const digest = `sha256:${hash.digest('hex')}`
  const done = new URL(patched.headers.location, url)
  done.searchParams.set('digest', digest)
  const put = await exchange(done.href, { method: 'PUT', headers: { 'Content-Length': 0 }, agent })
  if (put.status !== 201) throw new Error(`PUT: ${put.status} ${put.body}`)
  return digest
}

/**
 * GET /v2/ one after another on one kept-alive connection until stopped; latencies in ms. In a process
 * of its own: the bench's event loop is busy hashing fifty pulls, which would be timed too otherwise.
 */
const PINGER = `
const http = require('node:http')
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const times = []
let running = true
process.stdin.on('data', () => (running = false))
const once = () => new Promise((resolve, reject) => {
  const t = performance.now()
  http.get(process.argv[1] + '/v2/', { agent }, (res) => {
    res.resume()
    res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error('GET /v2/ answered ' + res.statusCode))))
  }).on('error', reject)
})
;(async () => {
  while (running) times.push(await once())
  process.stdout.write(JSON.stringify(times))
  process.exit(0)
})().catch((err) => { process.stderr.write(String(err)); process.exit(1) })
`

function pinger(url) {
  const child = spawn(process.execPath, ['-e', PINGER, url], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const exited = new Promise((resolve) => child.on('exit', resolve))
  return async () => {
    child.stdin.end('stop\n')
    if ((await exited) !== 0) throw new Error('the GET /v2/ pinger failed')
    const times = JSON.parse(out)
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), count: times.length }
  }
}

/** One part of the load: the work, the server's peak RSS during it, and the ping latency meanwhile. */
async function measured(server, work) {
  const phaseLocal = resetPeak(server.pid)
  const stopSampling = sampleMemory(server.pid)
  const stopPing = pinger(server.url)
  const t = performance.now()
  await work()
  const seconds = (performance.now() - t) / 1000
  const ping = await stopPing()
  const mem = stopSampling()
  return { seconds, peakRss: phaseLocal ? mem.hwm : mem.maxSampledRss, maxSampledRss: mem.maxSampledRss, ping }
}

/** The load phase against one server kind; returns its metrics (the names run.mjs reports). */
export async function runLoad(kind) {
  const dataDir = mkdtempSync(join(work, `${kind}-load-`))
  const server = await start(kind, dataDir)
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity })
  try {
    const base = randomBytes(CHUNK)
    const blob = await pushBlob(server.url, 'load/pull', base, 0xffff, LOAD.pullMiB, agent)
    const idleRss = memory(server.pid).rss
    const pullBytes = LOAD.pullMiB * CHUNK

    const pulls = await measured(server, async () => {
      const results = await Promise.all(
        Array.from({ length: LOAD.pulls }, () => exchange(`${server.url}/v2/load/pull/blobs/${blob}`, { agent, hashBody: true }))
      )
      for (const r of results) if (r.status !== 200 || r.digest !== blob || r.size !== pullBytes) throw new Error(`${kind}: a pull gave ${r.status}, ${r.size} bytes hashing to ${r.digest}`)
    })

    const pushes = await measured(server, async () => {
      const digests = await Promise.all(Array.from({ length: LOAD.pushes }, (_, i) => pushBlob(server.url, `load/push${i}`, base, i, LOAD.pushMiB, agent)))
      for (const [i, d] of digests.entries()) {
        const head = await exchange(`${server.url}/v2/load/push${i}/blobs/${d}`, { method: 'HEAD', agent })
        if (head.status !== 200 || head.headers['docker-content-digest'] !== d || Number(head.headers['content-length']) !== LOAD.pushMiB * CHUNK)
          throw new Error(`${kind}: pushed blob ${d} reads back as ${head.status} ${head.headers['docker-content-digest']} ${head.headers['content-length']}`)
      }
    })
    if (!server.alive()) throw new Error(`${kind} died under load: ${server.stderr()}`)
    const metrics = {
      loadIdleRssMB: idleRss / MB,
      pullsPeakRssMB: pulls.peakRss / MB,
      pullsMBps: (LOAD.pulls * pullBytes) / MB / pulls.seconds,
      pullsPingP99Ms: pulls.ping.p99,
      pushesPeakRssMB: pushes.peakRss / MB,
      pushesMBps: (LOAD.pushes * LOAD.pushMiB * CHUNK) / MB / pushes.seconds,
      pushesPingP99Ms: pushes.ping.p99
    }
    console.log(
      `  load ${kind.padEnd(12)} ${LOAD.pulls} pulls ${metrics.pullsMBps.toFixed(0)} MB/s, peak RSS ${metrics.pullsPeakRssMB.toFixed(0)} MB, ping p99 ${pulls.ping.p99.toFixed(1)} ms; ` +
        `${LOAD.pushes} pushes ${metrics.pushesMBps.toFixed(0)} MB/s, peak RSS ${metrics.pushesPeakRssMB.toFixed(0)} MB, ping p99 ${pushes.ping.p99.toFixed(1)} ms (idle ${metrics.loadIdleRssMB.toFixed(0)} MB)`
    )
    return metrics
  } finally {
    agent.destroy()
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { execFileSync } = await import('node:child_process')
  const { ROOT, cleanup } = await import('./servers.mjs')
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-built.mjs')], { stdio: 'inherit' })
    for (const kind of (process.env.BENCH_LOAD_KINDS ?? 'berth,distribution').split(',')) await runLoad(kind)
  } catch (err) {
    console.error(`load bench failed: ${err.stack ?? err}`)
    process.exitCode = 1
  } finally {
    cleanup()
  }
}
