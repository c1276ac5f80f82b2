// What sharing costs, all on loopback: a login (bcrypt, uncached vs cached), a TLS handshake, and
// push/pull of one image over plain HTTP without accounts, plain HTTP with accounts, and HTTPS with
// accounts (the shared registry binds 0.0.0.0; every byte here still goes over 127.0.0.1).
//
//   npm run bench:sharing                                   2 layers × 128 MiB, 3 rounds
//   BENCH_LAYER_MB=16 BENCH_ROUNDS=1 npm run bench:sharing  a quick smoke run
//
// Prints medians; writes bench/results/sharing-<time>.json (git-ignored). Needs skopeo.
import { execFile, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:https'
import { connect as tcpConnect } from 'node:net'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { promisify } from 'node:util'
import bcrypt from 'bcryptjs'
import { makeLayout } from './layout.mjs'

const exec = promisify(execFile)
const ROOT = join(import.meta.dirname, '..')
const BERTH = join(ROOT, 'bin', 'berth.js')
const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 128)
const LAYERS = Number(process.env.BENCH_LAYERS ?? 2)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const LOGINS = 10
const HANDSHAKES = 200
const PASSWORD = 'bench password 1'

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]
const round2 = (x) => Math.round(x * 100) / 100

const work = mkdtempSync('/tmp/berth-bench-sharing-')
const env = { ...process.env, XDG_CONFIG_HOME: join(work, 'config') }
const live = new Set()
function cleanup() {
  for (const proc of live) if (proc.exitCode === null) proc.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-built.mjs')], { stdio: 'inherit' })

const berth = (args, input) =>
  new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BERTH, ...args], { env }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)))
    child.stdin.end(input ?? '')
  })

/** `berth serve` with these arguments; resolves once it prints its address. */
function serve(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BERTH, 'serve', '--port', '0', '--no-ui', '--log-level', 'error', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    live.add(proc)
    let out = ''
    proc.stdout.on('data', (d) => {
      out += d
      const m = /listening on (https?):\/\/\S+:(\d+) /.exec(out)
      if (m)
        resolve({
          scheme: m[1],
          port: Number(m[2]),
          stop: () => new Promise((r) => (proc.exitCode !== null ? r() : (proc.once('exit', () => (live.delete(proc), r())), proc.kill('SIGTERM'))))
        })
    })
    proc.once('exit', (code) => reject(new Error(`berth serve exited (${code})`)))
  })
}

const CONFIGS = {
  'plain, no accounts (loopback bind)': { args: ['--host', '127.0.0.1'], auth: false },
  'plain HTTP + accounts (--tls off)': { args: ['--host', '0.0.0.0', '--tls', 'off'], auth: true },
  'HTTPS + accounts (Berth CA)': { args: ['--host', '0.0.0.0'], auth: true }
}

async function startConfig(name, dataDir) {
  const c = CONFIGS[name]
  if (c.auth) await berth(['users', 'add', 'bench', '--role', 'push', '--password-stdin', '--data', dataDir], PASSWORD)
  return serve([...c.args, '--data', dataDir])
}

async function seconds(fn) {
  const t = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - t) / 1e9
}

async function skopeo(args) {
  await exec('skopeo', ['--insecure-policy', ...args], { maxBuffer: 1 << 24 })
}

function httpsGet(port, ca, agent, authorization) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint()
    const req = request({ host: '127.0.0.1', port, path: '/v2/', ca, agent, headers: authorization ? { authorization } : {} }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t) / 1e6 }))
    })
    req.on('error', reject)
    req.end()
  })
}

function timeConnect(open) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint()
    const socket = open(() => {
      resolve(Number(process.hrtime.bigint() - t) / 1e6)
      socket.destroy()
    })
    socket.on('error', reject)
  })
}

const results = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, skopeo: execFileSync('skopeo', ['--version']).toString().trim() }, layerMB: LAYER_MB, layers: LAYERS, rounds: ROUNDS }

// 1. bcrypt itself, at Berth's cost (10).
const hash = await bcrypt.hash(PASSWORD, 10)
const compares = []
for (let i = 0; i < 20; i++) compares.push(await seconds(() => bcrypt.compare(PASSWORD, hash)))
results.bcryptCompareMs = round2(median(compares) * 1000)

// 2. Logins end to end over HTTPS with keep-alive: the first request of each account runs bcrypt, the next ones hit the cache.
{
  const dataDir = join(work, 'login')
  for (let i = 0; i < LOGINS; i++) await berth(['users', 'add', `u${i}`, '--role', 'pull', '--password-stdin', '--data', dataDir], PASSWORD)
  const s = await serve(['--host', '0.0.0.0', '--data', dataDir])
  const plain = await serve(['--host', '127.0.0.1', '--data', join(work, 'login-plain')])
  const ca = await berth(['tls', 'ca'])
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca })
  await httpsGet(s.port, ca, agent, undefined)
  const uncached = []
  const cached = []
  for (let i = 0; i < LOGINS; i++) {
    const auth = `Basic ${Buffer.from(`u${i}:${PASSWORD}`).toString('base64')}`
    const first = await httpsGet(s.port, ca, agent, auth)
    if (first.status !== 200) throw new Error(`login u${i}: ${first.status}`)
    uncached.push(first.ms)
    for (let j = 0; j < 5; j++) cached.push((await httpsGet(s.port, ca, agent, auth)).ms)
  }
  results.loginUncachedMs = round2(median(uncached))
  results.loginCachedMs = round2(median(cached))

  // 3. New connections: TCP connect to the plain port vs a full TLS handshake (P-256 certificate) to the shared one.
  const tcp = []
  const tls = []
  for (let i = 0; i < HANDSHAKES; i++) {
    tcp.push(await timeConnect((cb) => tcpConnect({ host: '127.0.0.1', port: plain.port }, cb)))
    tls.push(await timeConnect((cb) => tlsConnect({ host: '127.0.0.1', port: s.port, ca }, cb)))
  }
  results.tcpConnectMs = { median: round2(median(tcp)), p90: round2(p90(tcp)) }
  results.tlsHandshakeMs = { median: round2(median(tls)), p90: round2(p90(tls)) }
  agent.destroy()
  await s.stop()
  await plain.stop()
}

// 4. Push and pull of one image (fresh data folder each round), skopeo on loopback.
const layout = join(work, 'layout')
const { bytes } = await makeLayout(layout, LAYERS, LAYER_MB)
const certDir = join(work, 'certs')
mkdirSync(certDir)
writeFileSync(join(certDir, 'ca.crt'), await berth(['tls', 'ca']))
const transfer = Object.fromEntries(Object.keys(CONFIGS).map((k) => [k, { pushS: [], pullS: [] }]))
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(CONFIGS)) {
    const s = await startConfig(name, join(work, `data-${round}-${Object.keys(CONFIGS).indexOf(name)}`))
    const tlsArgs = (dir) => (s.scheme === 'https' ? [`--${dir}-cert-dir`, certDir] : [`--${dir}-tls-verify=false`])
    const creds = (dir) => (CONFIGS[name].auth ? [`--${dir}-creds`, `bench:${PASSWORD}`] : [])
    const ref = `docker://127.0.0.1:${s.port}/bench/img:1`
    transfer[name].pushS.push(await seconds(() => skopeo(['copy', '-q', ...tlsArgs('dest'), ...creds('dest'), `oci:${layout}:bench`, ref])))
    const pulled = join(work, `pulled-${round}-${s.port}`)
    mkdirSync(pulled)
    transfer[name].pullS.push(await seconds(() => skopeo(['copy', '-q', ...tlsArgs('src'), ...creds('src'), ref, `dir:${pulled}`])))
    rmSync(pulled, { recursive: true, force: true })
    await s.stop()
  }
}
results.transfers = Object.fromEntries(
  Object.entries(transfer).map(([k, v]) => [k, { pushMBps: round2(bytes / 1e6 / median(v.pushS)), pullMBps: round2(bytes / 1e6 / median(v.pullS)), pushS: v.pushS.map(round2), pullS: v.pullS.map(round2) }])
)

console.log(`\nSharing costs (loopback, ${cpus().length} cores, ${(bytes / 1e6).toFixed(0)} MB image, ${ROUNDS} rounds, medians)\n`)
console.log(`bcrypt compare (cost 10)           ${results.bcryptCompareMs} ms`)
console.log(`login, uncached (HTTPS, keep-alive) ${results.loginUncachedMs} ms per request`)
console.log(`login, cached                       ${results.loginCachedMs} ms per request`)
console.log(`TCP connect                         ${results.tcpConnectMs.median} ms (p90 ${results.tcpConnectMs.p90})`)
console.log(`TLS handshake (ECDSA P-256)         ${results.tlsHandshakeMs.median} ms (p90 ${results.tlsHandshakeMs.p90})`)
for (const [k, v] of Object.entries(results.transfers)) console.log(`${k.padEnd(36)} push ${v.pushMBps} MB/s, pull ${v.pullMBps} MB/s`)
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
const file = join(ROOT, 'bench', 'results', `sharing-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(file, JSON.stringify(results, null, 2))
console.log(`\nwritten to ${file}`)

