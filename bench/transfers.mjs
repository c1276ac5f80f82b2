// The transfer phase of `npm run bench`: skopeo pushes the big image into an empty server, pulls it
// back, then pushes CONCURRENT small images at once; throughput, the server's CPU and peak RSS.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { cpuNs, MB, memory, resetPeak, sampleMemory, start, work } from './servers.mjs'

const exec = promisify(execFile)
export const CONCURRENT = 8

async function skopeo(args) {
  try {
    await exec('skopeo', ['--insecure-policy', ...args], { maxBuffer: 1 << 24 })
  } catch (err) {
    throw new Error(`skopeo ${args.join(' ')} failed: ${err.stderr || err.message}`, { cause: err })
  }
}

export async function seconds(fn) {
  const t = performance.now()
  await fn()
  return (performance.now() - t) / 1000
}
/** One round against `kind`; `add(kind, metric, value)` collects the numbers. */
export async function transfers(kind, round, big, smalls, add, settle) {
  const dataDir = mkdtempSync(join(work, `${kind}-r${round}-`))
  settle()
  const s = await start(kind, dataDir)
  try {
    // The push's own peak, not the start's (the same either way for a fresh process).
    resetPeak(s.pid)
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
