// The bench's servers and measurements: Berth and Distribution 2.8.2 (Debian's docker-registry) as
// child processes on free ports, their memory (/proc/<pid>/status) and CPU time, and the work folder
// that is removed on exit, on errors and on Ctrl-C.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..')
export const MB = 1e6
export const KINDS = ['berth', 'distribution']

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
/** The q-quantile (0..1) of `xs`, nearest rank. */
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
}

// ---------- clean-up: our own servers and the work folder, also on errors and Ctrl-C ----------

export const work = mkdtempSync('/tmp/berth-bench-')
const live = new Set()
let cleaned = false
export function cleanup() {
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

const NODE_FLAGS = (process.env.BENCH_BERTH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean)

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

export { NODE_FLAGS }

export async function start(kind, dataDir) {
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
    port,
    host: `127.0.0.1:${port}`,
    pid: proc.pid,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    stderr: () => stderr,
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

// ---------- measurements ----------

/** VmRSS and VmHWM of a process, in bytes. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

/**
 * Starts a fresh peak for VmHWM (`5` into clear_refs, Linux ≥ 4.0, our own child), so each phase's
 * peak is its own; false when the kernel refuses (then only the sampled VmRSS is phase-local).
 */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** CPU time the process has used so far, all threads, in ns (schedstat: finer than the 10 ms ticks of /proc/<pid>/stat). */
export function cpuNs(pid) {
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
export function busyTicks() {
  const t = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
  return t.reduce((a, b) => a + b, 0) - t[3] - t[4] // minus idle and iowait
}
export function ownTicks() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) // utime stime cutime cstime
}

/** Samples VmRSS every 50 ms until stopped; returns the highest sample and VmHWM at the end. */
export function sampleMemory(pid) {
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
