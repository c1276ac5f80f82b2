// Berth vs CNCF Distribution 2.8.2 (Debian's docker-registry), side by side in one run, interleaved:
// every round runs Berth, then Distribution, each on fresh data folders, on the same work.
//
//   npm run bench                                   defaults: 8 layers × 128 MiB, 3 rounds
//   BENCH_LAYER_MB=8 BENCH_ROUNDS=1 npm run bench   a quick smoke run
//
// Environment: BENCH_LAYER_MB (128), BENCH_LAYERS (8), BENCH_ROUNDS (3), BENCH_LIST_REPS (50: tag-list
// and catalog-page requests per round), BENCH_WALK_REPS (5: full catalog walks per round),
// BENCH_BERTH_NODE_FLAGS (none: Node/V8 flags for Berth's process, to try tuning ideas).
// Prints medians and Berth/Distribution ratios; writes bench/results/<time>.json (git-ignored).
// Needs skopeo and docker-registry on PATH; builds Berth first when out/ is stale.
// Then, as a second phase, bench/vm-push.mjs: the window's push by export and pull by load against
// docker push / docker pull (its own BENCH_VM_* settings; BENCH_VM=0 skips it).
import { execFile, execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { makeLayout } from './layout.mjs'
import { runVmBench } from './vm-push.mjs'

const exec = promisify(execFile)
const ROOT = join(import.meta.dirname, '..')
const int = (name, fallback) => {
  const v = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number ≥ 1, not ${process.env[name]}`)
  return v
}
const LAYER_MB = int('BENCH_LAYER_MB', 128)
const LAYERS = int('BENCH_LAYERS', 8)
const ROUNDS = int('BENCH_ROUNDS', 3)
const LIST_REPS = int('BENCH_LIST_REPS', 50)
const WALK_REPS = int('BENCH_WALK_REPS', 5)
const NODE_FLAGS = (process.env.BENCH_BERTH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean)
const CONCURRENT = 8
const SMALL_LAYERS = 2
const SMALL_LAYER_MB = Math.max(1, Math.round(LAYER_MB / 8))
const REPOS = 2000
const TAGS = 1000
const KINDS = ['berth', 'distribution']
const MB = 1e6

const sha = (b) => createHash('sha256').update(b).digest('hex')
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// ---------- clean-up: our own servers and the work folder, also on errors and Ctrl-C ----------

const work = mkdtempSync('/tmp/berth-bench-')
const live = new Set()
let cleaned = false
function cleanup() {
  if (cleaned) return
  cleaned = true
  for (const proc of live) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    cleanup()
    process.exit(130)
  })

// ---------- fixtures ----------

/**
 * Writes Distribution's on-disk layout straight into `dir` (deterministic, so identical for both
 * servers): `repos` repositories with one tag `latest` each, plus `many/tags` holding `tags` tags,
 * all pointing at one tiny manifest whose blob data is stored once.
 */
function seedListing(dir, repos, tags) {
  const v2 = join(dir, 'docker', 'registry', 'v2')
  const config = Buffer.from('{}')
  const configHex = sha(config)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: config.length },
      layers: []
    })
  )
  const mHex = sha(manifest)
  for (const [hex, bytes] of [[configHex, config], [mHex, manifest]]) {
    mkdirSync(join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex), { recursive: true })
    writeFileSync(join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'), bytes)
  }
  const link = (path, hex) => {
    mkdirSync(path, { recursive: true })
    writeFileSync(join(path, 'link'), `sha256:${hex}`)
  }
  const repo = (name, tagNames) => {
    const base = join(v2, 'repositories', name)
    link(join(base, '_layers', 'sha256', configHex), configHex)
    link(join(base, '_manifests', 'revisions', 'sha256', mHex), mHex)
    for (const t of tagNames) {
      link(join(base, '_manifests', 'tags', t, 'current'), mHex)
      link(join(base, '_manifests', 'tags', t, 'index', 'sha256', mHex), mHex)
    }
  }
  for (let i = 0; i < repos; i++) repo(`team${String(i % 20).padStart(2, '0')}/app-${String(i).padStart(5, '0')}`, ['latest'])
  repo('many/tags', Array.from({ length: tags }, (_, i) => `v${String(i).padStart(4, '0')}`))
}

// ---------- servers ----------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

const LAUNCH = {
  // The node process itself (no shell, no npm), so its pid is the server's for the RSS readings.
  // BENCH_BERTH_NODE_FLAGS (e.g. "--single-threaded-gc") tries V8/Node options on Berth's process.
  berth: (dataDir, port) => [process.execPath, [...NODE_FLAGS, join(ROOT, 'bin', 'berth.js'), 'serve', '--port', String(port), '--data', dataDir, '--log-level', 'warn']],
  // test/helpers/distribution.ts's config, plus the access log off: Berth at warn logs no requests either.
  distribution: (dataDir, port) => {
    const config = join(work, `distribution-${port}.yml`)
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: error',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${dataDir}`,
        '  delete:',
        '    enabled: true',
        '  maintenance:',
        '    uploadpurging:',
        '      enabled: false',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        ''
      ].join('\n')
    )
    return ['docker-registry', ['serve', config]]
  }
}

async function start(kind, dataDir) {
  const port = await freePort()
  const [cmd, args] = LAUNCH[kind](dataDir, port)
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  live.add(proc)
  let stderr = ''
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`${kind} exited early (${proc.exitCode}): ${stderr}`)
    if (i > 300) throw new Error(`${kind}: no answer from ${url} after 15 s: ${stderr}`)
    try {
      const res = await fetch(`${url}/v2/`)
      await res.arrayBuffer()
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    await sleep(50)
  }
  return {
    kind,
    url,
    host: `127.0.0.1:${port}`,
    pid: proc.pid,
    stop: () =>
      new Promise((resolve) => {
        const done = () => (live.delete(proc), resolve())
        if (proc.exitCode !== null || proc.signalCode !== null) return done()
        const force = setTimeout(() => proc.kill('SIGKILL'), 10_000)
        proc.once('exit', () => (clearTimeout(force), done()))
        proc.kill('SIGTERM')
      })
  }
}

/** VmRSS and VmHWM of a process, in bytes. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

/** CPU time the process has used so far, all threads, in ns (schedstat: finer than the 10 ms ticks of /proc/<pid>/stat). */
function cpuNs(pid) {
  let ns = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns
}

/** Busy CPU time of the whole machine, and of this process plus its reaped children (skopeo, servers), in clock ticks. */
function busyTicks() {
  const t = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
  return t.reduce((a, b) => a + b, 0) - t[3] - t[4] // minus idle and iowait
}
function ownTicks() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) // utime stime cutime cstime
}

/** Samples VmRSS every 50 ms until stopped; returns the highest sample and VmHWM at the end. */
function sampleMemory(pid) {
  let maxRss = memory(pid).rss
  const timer = setInterval(() => {
    try {
      maxRss = Math.max(maxRss, memory(pid).rss)
    } catch {
      // the process is gone; the caller will find out
    }
  }, 50)
  return () => {
    clearInterval(timer)
    const end = memory(pid)
    return { maxSampledRss: Math.max(maxRss, end.rss), hwm: end.hwm }
  }
}

// ---------- clients ----------

/** GET with the global fetch (undici, keep-alive); the body is read in full so the connection is reused. */
async function get(url) {
  const res = await fetch(url)
  const body = Buffer.from(await res.arrayBuffer())
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${body.toString().slice(0, 200)}`)
  return { link: res.headers.get('link'), body }
}

async function skopeo(args) {
  try {
    await exec('skopeo', ['--insecure-policy', ...args], { maxBuffer: 1 << 24 })
  } catch (err) {
    throw new Error(`skopeo ${args.join(' ')} failed: ${err.stderr || err.message}`, { cause: err })
  }
}

async function seconds(fn) {
  const t = performance.now()
  await fn()
  return (performance.now() - t) / 1000
}
async function ms(fn) {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

// ---------- the work, per server ----------

const raw = Object.fromEntries(KINDS.map((k) => [k, {}]))
const add = (kind, metric, value) => (raw[kind][metric] ??= []).push(value)

/** Flushes dirty pages (seeded folders, earlier pushes) so one server's writes are not written back during the other's turn. */
const settle = () => execFileSync('sync')

async function transfers(kind, round, big, smalls) {
  const dataDir = mkdtempSync(join(work, `${kind}-r${round}-`))
  settle()
  const s = await start(kind, dataDir)
  try {
    const stopSampling = sampleMemory(s.pid)
    let cpu = cpuNs(s.pid)
    const pushS = await seconds(() => skopeo(['copy', '-q', '--dest-tls-verify=false', `oci:${big.dir}:bench`, `docker://${s.host}/bench/big:1`]))
    const mem = stopSampling()
    // The very bytes of the layout went over (skopeo neither recompressed nor converted anything).
    const head = await fetch(`${s.url}/v2/bench/big/manifests/1`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })
    if (head.headers.get('docker-content-digest') !== big.manifest)
      throw new Error(`${kind} holds manifest ${head.headers.get('docker-content-digest')}, the layout has ${big.manifest}`)
    add(kind, 'pushCpuS', (cpuNs(s.pid) - cpu) / 1e9)
    add(kind, 'pushMBps', big.bytes / MB / pushS)
    add(kind, 'pushPeakRssMB', mem.hwm / MB)
    add(kind, 'pushMaxSampledRssMB', mem.maxSampledRss / MB)

    const pulled = join(work, `pull-${kind}-r${round}`)
    mkdirSync(pulled)
    cpu = cpuNs(s.pid)
    const pullS = await seconds(() => skopeo(['copy', '-q', '--src-tls-verify=false', `docker://${s.host}/bench/big:1`, `dir:${pulled}`]))
    add(kind, 'pullCpuS', (cpuNs(s.pid) - cpu) / 1e9)
    rmSync(pulled, { recursive: true, force: true })
    add(kind, 'pullMBps', big.bytes / MB / pullS)

    const smallBytes = smalls.reduce((n, x) => n + x.bytes, 0)
    const concS = await seconds(() =>
      Promise.all(smalls.map((x, i) => skopeo(['copy', '-q', '--dest-tls-verify=false', `oci:${x.dir}:bench`, `docker://${s.host}/bench/c${i}:1`])))
    )
    add(kind, 'concurrentWallS', concS)
    add(kind, 'concurrentMBps', smallBytes / MB / concS)
    add(kind, 'runPeakRssMB', memory(s.pid).hwm / MB)
    console.log(
      `  round ${round + 1} ${kind.padEnd(12)} push ${(big.bytes / MB / pushS).toFixed(0)} MB/s, pull ${(big.bytes / MB / pullS).toFixed(0)} MB/s, ` +
        `${CONCURRENT} concurrent ${concS.toFixed(1)} s, peak RSS in push ${(mem.hwm / MB).toFixed(0)} MB`
    )
  } finally {
    await s.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function listings(kind, dataDir) {
  const s = await start(kind, dataDir)
  try {
    const walk = async (check) => {
      let next = `${s.url}/v2/_catalog?n=100`
      let count = 0
      while (next) {
        const res = await get(next)
        if (check) count += JSON.parse(res.body).repositories.length
        const m = res.link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.link)
        next = m ? new URL(m[1], s.url).href : null
      }
      if (check && count !== REPOS + 1) throw new Error(`${kind}: the walk listed ${count} repositories, not ${REPOS + 1}`)
    }
    // One checked pass of everything first: proof both serve the same answers, and a warm-up for both.
    await walk(true)
    const page = JSON.parse((await get(`${s.url}/v2/_catalog?n=1000`)).body).repositories
    if (page.length !== 1000) throw new Error(`${kind}: _catalog?n=1000 gave ${page.length} repositories`)
    for (const q of ['', '?n=1000']) {
      const tags = JSON.parse((await get(`${s.url}/v2/many/tags/tags/list${q}`)).body).tags
      if (tags.length !== TAGS) throw new Error(`${kind}: tags/list${q} gave ${tags.length} tags`)
    }
    const WARM = 50 // server JIT/caches and the client's fetch path
    const series = [
      ['pingMs', `${s.url}/v2/`],
      ['catalogPageMs', `${s.url}/v2/_catalog?n=1000`],
      ['tagsMs', `${s.url}/v2/many/tags/tags/list`],
      ['tagsN1000Ms', `${s.url}/v2/many/tags/tags/list?n=1000`]
    ]
    for (let i = 0; i < WALK_REPS; i++) add(kind, 'catalogWalkMs', await ms(() => walk(false)))
    for (const [metric, url] of series) {
      for (let i = 0; i < WARM; i++) await get(url)
      const cpu = cpuNs(s.pid)
      for (let i = 0; i < LIST_REPS; i++) add(kind, metric, await ms(() => get(url)))
      // The server's own cost, free of the client's: fetch alone costs more than Berth's whole answer.
      add(kind, metric.replace(/Ms$/, 'CpuUs'), (cpuNs(s.pid) - cpu) / 1000 / LIST_REPS)
    }
  } finally {
    await s.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// ---------- the run ----------

const started = performance.now()
try {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-built.mjs')], { stdio: 'inherit' })
  const versions = {
    node: process.version,
    skopeo: execFileSync('skopeo', ['--version']).toString().trim(),
    distribution: execFileSync('docker-registry', ['--version']).toString().trim()
  }
  const loadAtStart = loadavg()[0]
  const cpuAtStart = { busy: busyTicks(), own: ownTicks(), at: performance.now() }
  console.log(
    `Berth vs ${versions.distribution}\n` +
      `${LAYERS} × ${LAYER_MB} MiB image, ${CONCURRENT} concurrent pushes of ${SMALL_LAYERS} × ${SMALL_LAYER_MB} MiB, ` +
      `${ROUNDS} round(s) of Berth then Distribution; work in ${work}`
  )
  let t = performance.now()
  const big = { dir: join(work, 'big'), ...(await makeLayout(join(work, 'big'), LAYERS, LAYER_MB)) }
  const smalls = []
  for (let i = 0; i < CONCURRENT; i++) {
    const dir = join(work, `small${i}`)
    smalls.push({ dir, ...(await makeLayout(dir, SMALL_LAYERS, SMALL_LAYER_MB)) })
  }
  console.log(`  layouts made in ${((performance.now() - t) / 1000).toFixed(1)} s (${(big.bytes / MB).toFixed(0)} MB image)`)

  for (let round = 0; round < ROUNDS; round++) {
    // The listing folders are seeded (identically) before either server starts, and are at least
    // 2.5 s old when listed: Berth caches a tag list only once its folder's mtime is 2 s old (a guard
    // for coarse timestamps), and a registry's data is normally older than that.
    const listDirs = {}
    for (const kind of KINDS) {
      listDirs[kind] = mkdtempSync(join(work, `${kind}-list-r${round}-`))
      seedListing(listDirs[kind], REPOS, TAGS)
    }
    const seededAt = Date.now()
    for (const kind of KINDS) {
      await transfers(kind, round, big, smalls)
      settle()
      await sleep(Math.max(0, 2500 - (Date.now() - seededAt)))
      await listings(kind, listDirs[kind])
    }
  }

  // [key, label, unit, better, target: (berth, ratioB/D) => boolean, target text]
  const gib = `${(big.bytes / 2 ** 30).toFixed(2)} GiB`
  const METRICS = [
    ['pushMBps', `push ${gib} image, skopeo`, 'MB/s', 'higher', (b, r) => r >= 1, 'B/D ≥ 1.0'],
    ['pullMBps', `pull ${gib} image, skopeo`, 'MB/s', 'higher', (b, r) => r >= 1, 'B/D ≥ 1.0'],
    ['concurrentMBps', `${CONCURRENT} concurrent pushes, aggregate`, 'MB/s', 'higher'],
    ['concurrentWallS', `${CONCURRENT} concurrent pushes, wall time`, 's', 'lower'],
    ['catalogWalkMs', `_catalog walk, ${REPOS + 1} repos at n=100`, 'ms', 'lower', (b, r) => r <= 0.1, 'B/D ≤ 0.10 (10× faster)'],
    ['catalogPageMs', '_catalog?n=1000, one page', 'ms', 'lower', (b, r) => r <= 0.1, 'B/D ≤ 0.10 (10× faster)'],
    ['tagsMs', `tags/list, ${TAGS} tags`, 'ms', 'lower', (b, r) => r <= 0.2, 'B/D ≤ 0.20 (5× faster)'],
    ['tagsN1000Ms', `tags/list?n=1000, ${TAGS} tags`, 'ms', 'lower', (b, r) => r <= 0.2, 'B/D ≤ 0.20 (5× faster)'],
    ['pingMs', 'GET /v2/ (HTTP + client floor)', 'ms', 'lower'],
    ['pushPeakRssMB', 'server peak RSS in the push (VmHWM)', 'MB', 'lower', (b) => b < 150, 'Berth < 150 MB'],
    ['pushMaxSampledRssMB', 'server max sampled VmRSS in the push', 'MB', 'lower'],
    ['runPeakRssMB', 'server peak RSS, push+pull+concurrent', 'MB', 'lower'],
    // Diagnostics: the servers' own CPU time, which the client's share does not blur.
    ['pushCpuS', `server CPU for the ${gib} push`, 's', 'lower'],
    ['pullCpuS', `server CPU for the ${gib} pull`, 's', 'lower'],
    ['catalogPageCpuUs', 'server CPU per _catalog?n=1000', 'µs', 'lower'],
    ['tagsCpuUs', 'server CPU per tags/list', 'µs', 'lower'],
    ['pingCpuUs', 'server CPU per GET /v2/', 'µs', 'lower']
  ]
  const rows = METRICS.map(([key, metric, unit, better, check, target = '']) => {
    const berth = median(raw.berth[key])
    const distribution = median(raw.distribution[key])
    const ratio = berth / distribution
    return { key, metric, unit, better, berth, distribution, ratio, speedup: better === 'higher' ? ratio : 1 / ratio, target, met: check ? check(berth, ratio) : null }
  })

  const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3))
  const cols = [
    ['metric (median)', 42, (r) => r.metric],
    ['unit', 5, (r) => r.unit],
    ['better', 6, (r) => r.better],
    ['Berth', 8, (r) => fmt(r.berth), true],
    ['Distrib.', 8, (r) => fmt(r.distribution), true],
    ['B/D', 7, (r) => `${r.ratio.toFixed(2)}×`, true],
    ['Berth adv.', 10, (r) => `${r.speedup.toFixed(2)}×`, true],
    ['target', 24, (r) => r.target],
    ['met', 4, (r) => (r.met === null ? '' : r.met ? 'yes' : 'NO')]
  ]
  const line = (cells) => cells.map((c, i) => (cols[i][3] ? c.padStart(cols[i][1]) : c.padEnd(cols[i][1]))).join('  ').trimEnd()
  console.log(`\n${line(cols.map((c) => c[0]))}`)
  console.log(line(cols.map((c) => '-'.repeat(c[1]))))
  for (const r of rows) console.log(line(cols.map((c) => c[2](r))))
  // CPU the rest of the machine used meanwhile: all busy time minus this process and its (reaped) children.
  const elapsedTicks = ((performance.now() - cpuAtStart.at) / 1000) * 100 * cpus().length
  const foreign = Math.max(0, busyTicks() - cpuAtStart.busy - (ownTicks() - cpuAtStart.own)) / elapsedTicks
  console.log(
    `\nOther processes and kernel threads used ${(foreign * 100).toFixed(0)}% of the ${cpus().length} CPUs during the run (load average ${loadAtStart.toFixed(1)} before it).` +
      (foreign > 0.15 ? ' WARNING: the machine was shared; re-run when it is quiet.' : '')
  )
  console.log(
    `\nB/D = Berth ÷ Distribution. "Berth adv." = how many times better Berth is in the stated direction (> 1: Berth better).\n` +
      `Medians over ${ROUNDS} round(s); listings: ${WALK_REPS} walks and ${LIST_REPS} requests per round after warm-up, ` +
      `client = global fetch (keep-alive). MB = 10^6 bytes.`
  )

  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
  const file = join(ROOT, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        versions,
        machine: { cpus: cpus().length, loadAverage1mBefore: loadAtStart, foreignCpuShare: foreign },
        config: { LAYER_MB, LAYERS, ROUNDS, LIST_REPS, WALK_REPS, NODE_FLAGS, CONCURRENT, SMALL_LAYERS, SMALL_LAYER_MB, REPOS, TAGS, imageBytes: big.bytes },
        rows,
        raw
      },
      null,
      2
    )
  )
  console.log(`results: ${file}  (total ${((performance.now() - started) / 1000).toFixed(0)} s)`)

  if (process.env.BENCH_VM !== '0') await runVmBench()
} catch (err) {
  console.error(`bench failed: ${err.stack ?? err}`)
  process.exitCode = 1
} finally {
  cleanup()
}
