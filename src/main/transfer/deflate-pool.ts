import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'

// A few worker threads that deflate chunks of a layer in parallel (pigz's scheme: each chunk is raw
// deflate primed with the previous chunk's last 32 KiB and ended by a sync flush, so the pieces join
// into one stream). The worker is a string evaluated as CommonJS: it needs no file of its own, so it
// runs the same from the sources (tests), from out/ and from an asar.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const zlib = require('node:zlib')
const SAMPLE = 8192
// Four samples at level 1: when they shrink by less than 3 %, the whole chunk is as good as random
// (media, archives, already-compressed files) and goes as stored blocks, which cost no CPU.
function incompressible(data) {
  if (data.length < 4 * SAMPLE) return false
  let out = 0
  for (let i = 0; i < 4; i++) {
    const at = Math.floor(((data.length - SAMPLE) * i) / 3)
    out += zlib.deflateRawSync(data.subarray(at, at + SAMPLE), { level: 1 }).length
  }
  return out > 4 * SAMPLE * 0.97
}
// A buffer that owns all of its memory moves back without a copy; a slice of a shared one is copied.
// (allocUnsafeSlow: never Node's shared pool, whose memory must not move.)
function own(b) {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return b
  const copy = Buffer.allocUnsafeSlow(b.length)
  b.copy(copy)
  return copy
}
parentPort.on('message', ({ id, data, dictionary, level, store }) => {
  try {
    const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    if (!(store && incompressible(input))) {
      const options = { level, finishFlush: zlib.constants.Z_SYNC_FLUSH }
      if (dictionary) options.dictionary = dictionary
      const out = own(zlib.deflateRawSync(input, options))
      // Deflate that does not shrink the chunk loses to stored blocks.
      if (out.length < input.length) return parentPort.postMessage({ id, deflated: out }, [out.buffer])
    }
    parentPort.postMessage({ id, stored: data }, [data.buffer])
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) })
  }
})
`

interface Job {
  id: number
  data: Buffer
  dictionary: Buffer | null
  level: number
  store: boolean
  resolve: (result: DeflateResult) => void
  reject: (err: Error) => void
}

/** Raw deflate bytes of a chunk, or the chunk itself, to go as stored blocks. */
export type DeflateResult = { deflated: Buffer } | { stored: Buffer }

/**
 * Workers deflating chunks. A chunk is moved to its worker, not copied: `data` must own its whole
 * ArrayBuffer and is unusable after the call; a chunk to store comes back in the result.
 */
export class DeflatePool {
  private readonly idle: Worker[] = []
  private readonly busy = new Map<Worker, Job>()
  private readonly queue: Job[] = []
  private workers = 0
  private nextId = 1

  constructor(readonly size = defaultPoolSize()) {}

  deflate(data: Buffer, dictionary: Buffer | null, level: number, store: boolean): Promise<DeflateResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, data, dictionary, level, store, resolve, reject })
      this.dispatch()
    })
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.workers < this.size ? this.spawn() : undefined)
      if (!worker) return
      const job = this.queue.shift()!
      this.busy.set(worker, job)
      worker.ref()
      worker.postMessage({ id: job.id, data: job.data, dictionary: job.dictionary, level: job.level, store: job.store }, [job.data.buffer as ArrayBuffer])
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true })
    this.workers++
    worker.on('message', (m: { id: number; deflated?: Uint8Array; stored?: Uint8Array; error?: string }) => {
      const job = this.busy.get(worker)
      this.busy.delete(worker)
      // An idle worker must not keep the process alive (the pool lives as long as the app).
      worker.unref()
      this.idle.push(worker)
      if (job && job.id === m.id) {
        const bytes = m.deflated ?? m.stored
        if (m.error !== undefined || !bytes) job.reject(new Error(`deflate failed: ${m.error}`))
        else {
          const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
          job.resolve(m.deflated ? { deflated: buffer } : { stored: buffer })
        }
      }
      this.dispatch()
    })
    worker.on('error', (err) => this.lose(worker, err))
    worker.on('exit', (code) => this.lose(worker, new Error(`deflate worker exited (${code})`)))
    return worker
  }

  private lose(worker: Worker, err: Error): void {
    const i = this.idle.indexOf(worker)
    if (i !== -1) this.idle.splice(i, 1)
    const job = this.busy.get(worker)
    if (!this.busy.delete(worker) && i === -1) return
    this.workers--
    job?.reject(err)
    this.dispatch()
  }

  /** Stops the workers (jobs still queued fail). */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new Error('the deflate pool was closed'))
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()))
  }
}

/** One worker per core, at most four: the main thread hashes and writes meanwhile. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(availableParallelism(), 4))
}

let shared: DeflatePool | null = null

/** The process's pool, made on first use. */
export function sharedDeflatePool(): DeflatePool {
  shared ??= new DeflatePool()
  return shared
}
