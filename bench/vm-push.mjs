// The window's push by export and pull by load (the path taken when the Docker engine runs in a VM
// and cannot reach Berth) against the engine's own `docker push` / `docker pull`, on the same ~512 MB
// image of five layers (half random bytes, half log-like text: partly compressible), each push into
// an empty registry, medians of BENCH_VM_ROUNDS. Called by bench/run.mjs; alone: `node bench/vm-push.mjs`.
//
// Environment: BENCH_VM_LAYER_MB (102), BENCH_VM_ROUNDS (3), BENCH_VM_GZIP (the gzip variants of the
// export, as BERTH_GZIP takes them: "chunks:1,stream:1,chunks:6,chunks:1:nostore").
// Needs a reachable Docker engine; builds Berth first when out/ is stale. Cleans up its images and folders.
import { execFile, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const ROOT = join(import.meta.dirname, '..')
const MB = 1e6
const IMAGE = 'berth-vm-bench/app:src'
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const docker = async (...args) => (await exec('docker', args, { maxBuffer: 1 << 26 })).stdout.trim()

/** Log-like text: timestamps, ids and numbers from a cheap PRNG (deflate takes it to about a quarter). */
function textBlock(bytes, seed) {
  let x = seed >>> 0 || 1
  const rnd = (n) => ((x = (x * 1103515245 + 12345) >>> 0), x % n)
  const words = ['GET', 'POST', 'worker', 'request', 'served', 'cache', 'miss', 'hit', 'user', 'items', 'orders', 'status', 'latency', 'db', 'query']
  const parts = []
  let size = 0
  while (size < bytes) {
    const line = `2026-12-0${1 + rnd(9)}T${10 + rnd(14)}:${10 + rnd(50)}:${10 + rnd(50)}.${rnd(1000)}Z INFO ${words[rnd(15)]}-${rnd(64)} ${words[rnd(15)]} /api/v1/${words[rnd(15)]}/${rnd(100000)} ${words[rnd(15)]}=${rnd(1000)} in ${rnd(900)} ms id=${rnd(0xffffff).toString(16)}\n`
    parts.push(line)
    size += line.length
  }
  return Buffer.from(parts.join('')).subarray(0, bytes)
}

async function writeFile(path, chunks) {
  const out = createWriteStream(path)
  for (const c of chunks) if (!out.write(c)) await new Promise((r) => out.once('drain', r))
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())))
}

/** FROM scratch, five COPY layers, each half random bytes and half text, built by the engine. */
async function buildImage(work, layers, layerMb) {
  const ctx = join(work, 'context')
  mkdirSync(ctx, { recursive: true })
  const half = Math.round((layerMb * 2 ** 20) / 2)
  const text = textBlock(4 * 2 ** 20, 7)
  const lines = ['FROM scratch']
  for (let i = 0; i < layers; i++) {
    mkdirSync(join(ctx, `l${i}`))
    const random = []
    for (let n = 0; n < half; n += 2 ** 20) random.push(randomBytes(Math.min(2 ** 20, half - n)))
    await writeFile(join(ctx, `l${i}`, 'assets.bin'), random)
    // The text repeats every 4 MiB: far beyond deflate's 32 KiB window, so it compresses as if all new.
    const t = []
    for (let n = 0; n < half; n += text.length) t.push(Buffer.concat([Buffer.from(`layer ${i} part ${n}\n`), text]).subarray(0, Math.min(text.length, half - n)))
    await writeFile(join(ctx, `l${i}`, 'app.log'), t)
    lines.push(`COPY l${i} /data/l${i}`)
  }
  writeFileSync(join(ctx, 'Dockerfile'), lines.join('\n') + '\n')
  await exec('docker', ['build', '-q', '--network', 'none', '-t', IMAGE, ctx], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 1 << 24 })
  rmSync(ctx, { recursive: true, force: true })
  return { id: await docker('image', 'inspect', IMAGE, '--format', '{{.Id}}'), size: Number(await docker('image', 'inspect', IMAGE, '--format', '{{.Size}}')) }
}

/** `berth serve` on loopback (the engine reaches it), with its app API; `env` for BERTH_GZIP. */
async function serve(work, env = {}) {
  const dataDir = mkdtempSync(join(work, 'data-'))
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'berth.js'), 'serve', '--port', '0', '--ui-port', '0', '--data', dataDir, '--log-level', 'warn'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  proc.stdout.on('data', (d) => (out += d))
  for (let i = 0; !/Berth app on/.test(out); i++) {
    if (proc.exitCode !== null || i > 300) throw new Error(`berth serve did not start: ${out}`)
    await sleep(50)
  }
  const port = Number(/listening on http:\/\/[^ ]+:(\d+) /.exec(out)[1])
  const app = new URL(/Berth app on (\S+)/.exec(out)[1])
  const call = async (method, input = {}) => {
    const res = await fetch(`${app.origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${app.searchParams.get('token')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input)
    })
    const body = await res.json()
    if (!body.ok) throw new Error(`${method}: ${body.error.message}`)
    return body.result
  }
  return {
    host: `localhost:${port}`,
    pid: proc.pid,
    dataDir,
    call,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.once('exit', r))
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

function storedBytes(dataDir) {
  const root = join(dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256')
  let bytes = 0
  for (const hh of readdirSync(root)) for (const hex of readdirSync(join(root, hh))) bytes += statSync(join(root, hh, hex, 'data')).size
  return bytes
}

const peakRss = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024

/** A transfer through the app API, timed from the call to its end. */
async function transfer(s, method, input) {
  const t = performance.now()
  const { transferId } = await s.call(method, input)
  for (;;) {
    const tr = (await s.call('transfers.list')).find((x) => x.id === transferId)
    if (tr && tr.state !== 'running') {
      if (tr.state !== 'done') throw new Error(`${method} ended ${tr.state}: ${tr.error?.message}`)
      return { seconds: (performance.now() - t) / 1000, transfer: tr }
    }
    await sleep(25)
  }
}

export async function runVmBench() {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 })
  } catch {
    console.log('\n*** SKIPPING the VM-engine bench (push by export, pull by load): no reachable Docker engine ***')
    return null
  }
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'ensure-built.mjs')], { stdio: 'inherit' })
  const layerMb = Number(process.env.BENCH_VM_LAYER_MB ?? 102)
  const rounds = Number(process.env.BENCH_VM_ROUNDS ?? 3)
  const variants = (process.env.BENCH_VM_GZIP ?? 'chunks:1,stream:1,chunks:6,chunks:1:nostore').split(',').filter(Boolean)
  const work = mkdtempSync('/tmp/berth-vm-bench-')
  const raw = {}
  const add = (key, v) => (raw[key] ??= []).push(v)
  const stored = {}
  const rss = {}
  try {
    const started = performance.now()
    const image = await buildImage(work, 5, layerMb)
    console.log(`\nVM-engine bench: ${IMAGE}, 5 layers, ${(image.size / MB).toFixed(0)} MB; ${rounds} round(s); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`)
    console.log(`  image built in ${((performance.now() - started) / 1000).toFixed(0)} s`)

    const pushes = [['docker push', null, {}], ['export, uncompressed', 'uncompressed', {}], ...variants.map((v) => [`export, gzip ${v}`, 'gzip', { BERTH_GZIP: v }])]
    let keep = {}
    for (let round = 0; round < rounds; round++) {
      for (const [name, encoding, env] of pushes) {
        const s = await serve(work, env)
        const ref = `${s.host}/bench/app:1`
        let seconds
        if (encoding === null) {
          await docker('tag', IMAGE, ref)
          const t = performance.now()
          await docker('push', ref)
          seconds = (performance.now() - t) / 1000
          await docker('rmi', ref)
        } else {
          await s.call('settings.update', { transferPath: 'export', layerEncoding: encoding })
          seconds = (await transfer(s, 'docker.push', { image: IMAGE, repository: 'bench/app', tag: '1' })).seconds
          await docker('rmi', ref)
          rss[name] = Math.max(rss[name] ?? 0, peakRss(s.pid))
        }
        add(name, seconds)
        stored[name] = storedBytes(s.dataDir)
        console.log(`  round ${round + 1}: ${name.padEnd(34)} ${seconds.toFixed(1)} s`)
        // The pulls read what docker push stored (gzip) and what the uncompressed export stored.
        if (round === rounds - 1 && (name === 'docker push' || name === 'export, uncompressed')) keep[name] = s
        else await s.stop()
      }
    }

    // Pulls: the engine holds none of the image's layers before each one.
    const pulls = [
      ['docker pull (docker push’s gzip layers)', keep['docker push'], 'engine'],
      ['pull by load (docker push’s gzip layers)', keep['docker push'], 'export'],
      ['pull by load (uncompressed layers)', keep['export, uncompressed'], 'export']
    ]
    await docker('rmi', '-f', image.id)
    for (let round = 0; round < rounds; round++) {
      for (const [name, s, path] of pulls) {
        const ref = `${s.host}/bench/app:1`
        let seconds
        if (path === 'engine') {
          const t = performance.now()
          await docker('pull', ref)
          seconds = (performance.now() - t) / 1000
        } else {
          await s.call('settings.update', { transferPath: 'export' })
          seconds = (await transfer(s, 'docker.pull', { repository: 'bench/app', reference: '1' })).seconds
        }
        if ((await docker('image', 'inspect', ref, '--format', '{{.Id}}')) !== image.id) throw new Error(`${name}: pulled a different image`)
        await docker('rmi', '-f', image.id)
        add(name, seconds)
        console.log(`  round ${round + 1}: ${name.padEnd(42)} ${seconds.toFixed(1)} s`)
      }
    }
    for (const s of Object.values(keep)) await s.stop()
    keep = {}

    const base = median(raw['docker push'])
    console.log(`\n${'push of the image into an empty registry (median)'.padEnd(44)}  ${'s'.padStart(6)}  ${'MB/s'.padStart(6)}  ${'vs docker push'.padStart(14)}  ${'stored MB'.padStart(9)}  ${'peak RSS MB'.padStart(11)}`)
    for (const [name] of pushes) {
      const m = median(raw[name])
      console.log(`${name.padEnd(44)}  ${m.toFixed(1).padStart(6)}  ${(image.size / MB / m).toFixed(0).padStart(6)}  ${`${(base / m).toFixed(2)}×`.padStart(14)}  ${(stored[name] / MB).toFixed(0).padStart(9)}  ${(rss[name] ? (rss[name] / MB).toFixed(0) : '').padStart(11)}`)
    }
    const pullBase = median(raw[pulls[0][0]])
    console.log(`\n${'pull into the engine (median)'.padEnd(44)}  ${'s'.padStart(6)}  ${'vs docker pull'.padStart(14)}`)
    for (const [name] of pulls) {
      const m = median(raw[name])
      console.log(`${name.padEnd(44)}  ${m.toFixed(1).padStart(6)}  ${`${(pullBase / m).toFixed(2)}×`.padStart(14)}`)
    }
    const best = Math.max(...pushes.slice(1).map(([name]) => base / median(raw[name])))
    console.log(`\nTarget: a push by export ≥ 1.3× faster than docker push in one encoding — ${best >= 1.3 ? 'met' : 'NOT met'} (best ${best.toFixed(2)}×).`)

    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
    const file = join(ROOT, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}-vm.json`)
    writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), imageBytes: image.size, layerMb, rounds, raw, stored, rss }, null, 2))
    console.log(`results: ${file}`)
    return { raw, stored, rss }
  } finally {
    await exec('docker', ['rmi', '-f', IMAGE]).catch(() => {})
    rmSync(work, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runVmBench().catch((err) => {
    console.error(`vm bench failed: ${err.stack ?? err}`)
    process.exitCode = 1
  })
}
