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
// Phases, one module each: bench/transfers.mjs (skopeo push and pull, concurrent pushes),
// bench/listings.mjs (catalog and tag lists), bench/load.mjs (BENCH_PULLS concurrent pulls and
// BENCH_PUSHES concurrent pushes, the server's peak RSS and GET /v2/ p99 meanwhile; BENCH_LOAD=0
// skips it); servers and measurements in bench/servers.mjs. Then bench/vm-push.mjs: the window's push
// by export and pull by load against docker push / docker pull (its own BENCH_VM_* settings;
// BENCH_VM=0 skips it).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { makeLayout } from './layout.mjs'
import { listings, REPOS, seedListing, TAGS } from './listings.mjs'
import { LOAD, runLoad } from './load.mjs'
import { busyTicks, cleanup, KINDS, MB, median, NODE_FLAGS, ownTicks, ROOT, sleep, work } from './servers.mjs'
import { CONCURRENT, transfers } from './transfers.mjs'
import { runVmBench } from './vm-push.mjs'

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
const LOAD_ON = process.env.BENCH_LOAD !== '0'
const SMALL_LAYERS = 2
const SMALL_LAYER_MB = Math.max(1, Math.round(LAYER_MB / 8))

const raw = Object.fromEntries(KINDS.map((k) => [k, {}]))
const add = (kind, metric, value) => (raw[kind][metric] ??= []).push(value)

/** Flushes dirty pages (seeded folders, earlier pushes) so one server's writes are not written back during the other's turn. */
const settle = () => execFileSync('sync')

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
      await transfers(kind, round, big, smalls, add, settle)
      settle()
      await sleep(Math.max(0, 2500 - (Date.now() - seededAt)))
      await listings(kind, listDirs[kind], { add, walkReps: WALK_REPS, listReps: LIST_REPS })
      if (LOAD_ON) {
        settle()
        for (const [metric, value] of Object.entries(await runLoad(kind))) add(kind, metric, value)
      }
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
    ['pushPeakRssMB', `server peak RSS, ${gib} push (VmHWM)`, 'MB', 'lower', (b) => b < 100, 'Berth < 100 MB'],
    ['pushMaxSampledRssMB', 'server max sampled VmRSS in the push', 'MB', 'lower'],
    ['runPeakRssMB', 'server peak RSS, push+pull+concurrent', 'MB', 'lower'],
    ...(LOAD_ON
      ? [
          ['pullsPeakRssMB', `server peak RSS, ${LOAD.pulls} pulls of ${LOAD.pullMiB} MiB at once`, 'MB', 'lower', (b) => b < 150, 'Berth < 150 MB'],
          ['pullsMBps', `${LOAD.pulls} concurrent pulls, aggregate`, 'MB/s', 'higher'],
          ['pullsPingP99Ms', `GET /v2/ p99 during the ${LOAD.pulls} pulls`, 'ms', 'lower'],
          ['pushesPeakRssMB', `server peak RSS, ${LOAD.pushes} pushes of ${LOAD.pushMiB} MiB at once`, 'MB', 'lower'],
          ['pushesMBps', `${LOAD.pushes} concurrent pushes (PATCH), aggregate`, 'MB/s', 'higher'],
          ['pushesPingP99Ms', `GET /v2/ p99 during the ${LOAD.pushes} pushes`, 'ms', 'lower'],
          ['loadIdleRssMB', `server RSS at rest after a ${LOAD.pullMiB} MiB push`, 'MB', 'lower']
        ]
      : []),
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
        config: { LAYER_MB, LAYERS, ROUNDS, LIST_REPS, WALK_REPS, NODE_FLAGS, CONCURRENT, SMALL_LAYERS, SMALL_LAYER_MB, REPOS, TAGS, LOAD: LOAD_ON ? LOAD : null, imageBytes: big.bytes },
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
