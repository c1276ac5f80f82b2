// berth copy vs skopeo copy between two Distribution 2.8.2 registries on loopback and into a Berth
// data folder: MB/s and peak RSS of the copying process (blobs stream: RSS must not grow with size).
//
//   node bench/remote-copy.mjs            defaults: 2 layers × 256 MiB
//   BENCH_LAYER_MB=64 node bench/remote-copy.mjs
//
// Needs docker-registry, skopeo and /usr/bin/time; builds Berth first when out/ is stale.
import { execFile, execFileSync, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const ROOT = join(import.meta.dirname, '..')
const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 256)
const LAYERS = Number(process.env.BENCH_LAYERS ?? 2)
execFileSync('node', [join(ROOT, 'scripts', 'ensure-built.mjs')], { stdio: 'inherit' })

const work = mkdtempSync(join(tmpdir(), 'berth-bench-remote-'))
const freePort = () => new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)) }) })

async function distribution(name) {
  const port = await freePort()
  const config = join(work, `${name}.yml`)
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, name)}\nhttp:\n  addr: 127.0.0.1:${port}\n`)
  const proc = spawn('docker-registry', ['serve', config], { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok) break } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { port, host: `127.0.0.1:${port}`, proc }
}

/** A file of `mb` random MiB and its sha256, written 1 MiB at a time. */
function randomFile(path, mb) {
  const hash = createHash('sha256')
  const fd = openSync(path, 'w')
  for (let i = 0; i < mb; i++) { const b = randomBytes(1 << 20); hash.update(b); writeSync(fd, b) }
  closeSync(fd)
  return `sha256:${hash.digest('hex')}`
}

async function pushBlob(host, repo, file, digest) {
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
  const url = new URL(start.headers.get('location'), `http://${host}`)
  url.searchParams.set('digest', digest)
  const res = await fetch(url, { method: 'PUT', body: createReadStream(file), duplex: 'half', headers: { 'Content-Length': String(statSync(file).size) } })
  if (res.status !== 201) throw new Error(`push ${digest}: ${res.status}`)
}

async function timed(cmd, args) {
  const t0 = performance.now()
  const { stderr } = await exec('/usr/bin/time', ['-v', cmd, ...args], { maxBuffer: 64 << 20 })
  const seconds = (performance.now() - t0) / 1000
  return { seconds, rssMiB: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)[1]) / 1024 }
}

const a = await distribution('a')
const b = await distribution('b')
try {
  const layers = []
  for (let i = 0; i < LAYERS; i++) {
    const file = join(work, `layer${i}`)
    const digest = randomFile(file, LAYER_MB)
    await pushBlob(a.host, 'bench/app', file, digest)
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: LAYER_MB << 20 })
    rmSync(file)
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }))
  const configFile = join(work, 'config')
  writeFileSync(configFile, config)
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
  await pushBlob(a.host, 'bench/app', configFile, configDigest)
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers }
  await fetch(`http://${a.host}/v2/bench/app/manifests/1`, { method: 'PUT', body: JSON.stringify(manifest), headers: { 'Content-Type': manifest.mediaType } })

  const total = LAYERS * LAYER_MB
  const berth = join(ROOT, 'bin', 'berth.js')
  const runs = [
    ['berth copy registry → registry', process.execPath, [berth, 'copy', `${a.host}/bench/app:1`, `${b.host}/berth/app:1`, '--data', join(work, 'state')]],
    ['skopeo copy registry → registry', 'skopeo', ['copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${a.host}/bench/app:1`, `docker://${b.host}/skopeo/app:1`]],
    ['berth copy registry → data folder', process.execPath, [berth, 'copy', `${a.host}/bench/app:1`, 'bench/app:1', '--data', join(work, 'folder')]],
    ['berth copy data folder → registry', process.execPath, [berth, 'copy', 'bench/app:1', `${b.host}/back/app:1`, '--data', join(work, 'folder')]]
  ]
  console.log(`${LAYERS} layers × ${LAYER_MB} MiB (${total} MiB) on loopback, ${new Date().toISOString()}`)
  for (const [label, cmd, args] of runs) {
    const r = await timed(cmd, args)
    console.log(`${label.padEnd(36)} ${(total / r.seconds).toFixed(0).padStart(5)} MiB/s  ${r.seconds.toFixed(1).padStart(6)} s  peak RSS ${r.rssMiB.toFixed(0)} MiB`)
  }
} finally {
  a.proc.kill()
  b.proc.kill()
  rmSync(work, { recursive: true, force: true })
}
