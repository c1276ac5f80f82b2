// Berth vs CNCF Distribution 2.8.2 (Debian's docker-registry), side by side in one run, interleaved.
//   npm run bench                       defaults: 8 layers × 128 MiB, 3 rounds
//   BENCH_LAYER_MB=8 BENCH_ROUNDS=1 npm run bench      a quick smoke run
// Prints medians and Berth/Distribution ratios; writes bench/results/<time>.json.
import { execFile, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs'
import { Agent, request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const ROOT = join(import.meta.dirname, '..')
const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 128)
const LAYERS = Number(process.env.BENCH_LAYERS ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENT = 8
const REPOS = 2000
const TAGS = 1000
const work = mkdtempSync(join(tmpdir(), 'berth-bench-'))
const sha = (b) => createHash('sha256').update(b).digest('hex')
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// ---------- fixtures ----------

/** A tar holding one file of `bytes` random bytes, written straight to disk (never whole in memory). */
function writeLayerTar(path, bytes) {
  return new Promise((resolve) => {
    const hash = createHash('sha256')
    const out = createWriteStream(path)
    const put = (b) => {
      hash.update(b)
      return out.write(b)
    }
    const header = Buffer.alloc(512)
    header.write('payload.bin', 0)
    header.write('0000644\0', 100)
    header.write('0000000\0', 108)
    header.write('0000000\0', 116)
    header.write(bytes.toString(8).padStart(11, '0') + '\0', 124)
    header.write('00000000000\0', 136)
    header.write('        ', 148)
    header.write('0', 156)
    header.write('ustar\0', 257)
    header.write('00', 263)
    let sum = 0
    for (const b of header) sum += b
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    put(header)
    let left = bytes
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, 1 << 20)
        left -= n
        if (!put(randomBytes(n))) return out.once('drain', pump)
      }
      put(Buffer.alloc((512 - (bytes % 512)) % 512 + 1024))
      out.end(() => resolve({ digest: `sha256:${hash.digest('hex')}`, size: bytes + 512 + ((512 - (bytes % 512)) % 512) + 1024 }))
    }
    pump()
  })
}

/** An OCI image layout with `layers` random layers of `mb` MiB, tagged `bench`. */
async function makeLayout(dir, layers, mb) {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true })
  const descs = []
  for (let i = 0; i < layers; i++) {
    const tmp = join(dir, `layer${i}.tar`)
    const d = await writeLayerTar(tmp, mb * 1024 * 1024)
    cpSync(tmp, join(dir, 'blobs', 'sha256', d.digest.slice(7)))
    rmSync(tmp)
    descs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...d })
  }
  const blob = (obj) => {
    const b = Buffer.from(JSON.stringify(obj))
    writeFileSync(join(dir, 'blobs', 'sha256', sha(b)), b)
    return { digest: `sha256:${sha(b)}`, size: b.length }
  }
  const config = blob({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: descs.map((d) => d.digest) }, config: {} })
  const manifest = blob({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: descs })
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }] }))
  return descs.reduce((n, d) => n + d.size, 0)
}

/** A Distribution-layout folder with `repos` repositories and one repository holding `tags` tags. */
function seedListing(dir, repos, tags) {
  const v2 = join(dir, 'docker', 'registry', 'v2')
  const config = Buffer.from('{}')
  const configHex = sha(config)
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: 2 }, layers: [] }))
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
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

async function waitUp(url, proc) {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode})`)
    try {
      if ((await fetch(`${url}/v2/`)).status === 200) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no answer from ${url}`)
}

const SERVERS = {
  berth: async (dataDir, port) => spawn(process.execPath, [join(ROOT, 'bin', 'berth.js'), 'serve', '--port', String(port), '--data', dataDir, '--no-ui', '--log-level', 'warn'], { stdio: 'ignore' }),
  distribution: async (dataDir, port) => {
    const config = join(work, `dist-${port}.yml`)
    writeFileSync(config, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dataDir}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:${port}\n`)
    return spawn('docker-registry', ['serve', config], { stdio: 'ignore' })
  }
}

async function start(kind, dataDir) {
  const port = await freePort()
  const proc = await SERVERS[kind](dataDir, port)
  const url = `http://127.0.0.1:${port}`
  await waitUp(url, proc)
  return { kind, url, host: `127.0.0.1:${port}`, proc, stop: () => new Promise((r) => (proc.exitCode !== null ? r() : (proc.once('exit', r), proc.kill('SIGTERM')))) }
}

function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024
}

/** A lean keep-alive HTTP GET: listing timings should show the servers, not the client's JSON parser. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 })
function get(url) {
  return new Promise((resolve, reject) => {
    const r = request(url, { agent }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, link: res.headers.link, body: Buffer.concat(chunks) }))
    })
    r.on('error', reject)
    r.end()
  })
}

const skopeo = (args) => exec('skopeo', ['--insecure-policy', ...args], { maxBuffer: 1 << 24 })
async function timed(fn) {
  const t = performance.now()
  await fn()
  return (performance.now() - t) / 1000
}

// ---------- the run ----------

const results = { berth: {}, distribution: {} }
const add = (kind, metric, value) => (results[kind][metric] ??= []).push(value)
const order = (round) => (round % 2 ? ['distribution', 'berth'] : ['berth', 'distribution'])

console.log(`Berth vs Distribution 2.8.2 — ${LAYERS} × ${LAYER_MB} MiB image, ${ROUNDS} round(s), work in ${work}`)
const big = join(work, 'big')
const bigBytes = await makeLayout(big, LAYERS, LAYER_MB)
const smalls = []
for (let i = 0; i < CONCURRENT; i++) {
  const dir = join(work, `small${i}`)
  smalls.push({ dir, bytes: await makeLayout(dir, 2, Math.max(1, Math.round(LAYER_MB / 8))) })
}
const seeded = join(work, 'seeded')
seedListing(seeded, REPOS, TAGS)

for (let round = 0; round < ROUNDS; round++) {
  for (const kind of order(round)) {
    const dataDir = mkdtempSync(join(work, `${kind}-`))
    const s = await start(kind, dataDir)
    const pushS = await timed(() => skopeo(['copy', '-q', '--dest-tls-verify=false', `oci:${big}:bench`, `docker://${s.host}/bench/big:1`]))
    add(kind, 'peakRssMiB', peakRssMiB(s.proc.pid))
    const pulled = mkdtempSync(join(work, 'pull-'))
    const pullS = await timed(() => skopeo(['copy', '-q', '--src-tls-verify=false', `docker://${s.host}/bench/big:1`, `dir:${pulled}`]))
    rmSync(pulled, { recursive: true, force: true })
    add(kind, 'pushMiBps', bigBytes / 1048576 / pushS)
    add(kind, 'pullMiBps', bigBytes / 1048576 / pullS)
    const totalSmall = smalls.reduce((n, x) => n + x.bytes, 0)
    const concS = await timed(() => Promise.all(smalls.map((x, i) => skopeo(['copy', '-q', '--dest-tls-verify=false', `oci:${x.dir}:bench`, `docker://${s.host}/bench/c${i}:1`]))))
    add(kind, 'concurrentPushMiBps', totalSmall / 1048576 / concS)
    await s.stop()
    rmSync(dataDir, { recursive: true, force: true })
    process.stdout.write(`  round ${round + 1} ${kind}: push ${(bigBytes / 1048576 / pushS).toFixed(0)} MiB/s, pull ${(bigBytes / 1048576 / pullS).toFixed(0)} MiB/s\n`)
  }
  for (const kind of order(round)) {
    const dataDir = mkdtempSync(join(work, `${kind}-list-`))
    cpSync(seeded, dataDir, { recursive: true })
    const s = await start(kind, dataDir)
    const walk = async (check) => {
      let next = '/v2/_catalog?n=100'
      let count = 0
      while (next) {
        const res = await get(`${s.url}${next}`)
        if (check) count += JSON.parse(res.body).repositories.length
        next = res.link ? /<([^>]+)>/.exec(res.link)[1] : null
      }
      if (check && count !== REPOS + 1) throw new Error(`${kind} listed ${count} repositories, not ${REPOS + 1}`)
    }
    await walk(true) // warm-up, and proof that both list everything
    for (let i = 0; i < 5; i++) add(kind, 'catalogWalkMs', (await timed(() => walk(false))) * 1000)
    // Steady state for both: warm-up requests first (Node's JIT, Go's caches), then the measured ones.
    for (let i = 0; i < 20; i++) await get(`${s.url}/v2/_catalog?n=1000`)
    for (let i = 0; i < 30; i++) add(kind, 'catalogPageMs', (await timed(() => get(`${s.url}/v2/_catalog?n=1000`))) * 1000)
    const tags = JSON.parse((await get(`${s.url}/v2/many/tags/tags/list`)).body).tags
    if (tags.length !== TAGS) throw new Error(`${kind} listed ${tags.length} tags`)
    for (let i = 0; i < 300; i++) await get(`${s.url}/v2/many/tags/tags/list`)
    for (let i = 0; i < 300; i++) add(kind, 'tagsMs', (await timed(() => get(`${s.url}/v2/many/tags/tags/list`))) * 1000)
    await s.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const METRICS = [
  ['pushMiBps', 'push 1 image (skopeo), MiB/s', 'higher', '≥ 1.0×'],
  ['pullMiBps', 'pull 1 image (skopeo), MiB/s', 'higher', '≥ 1.0×'],
  ['concurrentPushMiBps', `${CONCURRENT} concurrent pushes, MiB/s total`, 'higher', ''],
  ['catalogWalkMs', `catalog walk of ${REPOS} repos at n=100, ms`, 'lower', '≥ 10×'],
  ['catalogPageMs', 'catalog page n=1000, ms', 'lower', '≥ 10×'],
  ['tagsMs', `tags list of ${TAGS} tags, ms`, 'lower', '≥ 5×'],
  ['peakRssMiB', 'server peak RSS during the push, MiB', 'lower', 'Berth < 150 MiB']
]
const rows = METRICS.map(([key, label, better, target]) => {
  const b = median(results.berth[key])
  const d = median(results.distribution[key])
  const ratio = better === 'higher' ? b / d : d / b
  return { metric: label, berth: b, distribution: d, advantage: ratio, target }
})
console.log(`\n${'metric'.padEnd(48)} ${'Berth'.padStart(9)} ${'Distrib.'.padStart(9)}  Berth advantage  target`)
for (const r of rows) console.log(`${r.metric.padEnd(48)} ${r.berth.toFixed(1).padStart(9)} ${r.distribution.toFixed(1).padStart(9)}  ${(r.advantage.toFixed(2) + '×').padStart(15)}  ${r.target}`)
console.log('\n(advantage: Berth/Distribution for throughput, Distribution/Berth for times and memory; > 1 means Berth is better)')
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
const file = join(ROOT, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(file, JSON.stringify({ config: { LAYER_MB, LAYERS, ROUNDS, CONCURRENT, REPOS, TAGS }, rows, raw: results }, null, 2))
console.log(`results: ${file}`)
agent.destroy()
rmSync(work, { recursive: true, force: true })
