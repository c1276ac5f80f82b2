import { createHash, type Hash } from 'node:crypto'
import { PassThrough, type Readable } from 'node:stream'
import { BerthError } from '@shared/errors'
import type { Endpoint, UploadSession } from './endpoint'
import type { ResumeStore } from './resume'
import { backoffMs, DEFAULT_RETRY, sleep } from './transport'

// One blob from a source to a target, streamed: skipped when the target has it, mounted when both
// are one registry, else uploaded. A cut (either side) is resumed: the target says how many bytes
// it holds, the source is read again from there with Range, and the upload continues; the digest
// is verified over the whole blob at the end (by the target on commit, and here when every byte
// passed through this process).

export type BlobOutcome = 'exists' | 'mounted' | 'copied'

export interface BlobJob {
  source: Endpoint
  sourceRepo: string
  target: Endpoint
  targetRepo: string
  digest: string
  size: number
  resume: ResumeStore
  signal?: AbortSignal
  /** Bytes the target holds so far, as they arrive. */
  onBytes?: (held: number) => void
  onPhase?: (phase: 'copying' | BlobOutcome) => void
  attempts?: number
}

/**
 * Passes `source` on from byte `skip` (a server that ignored Range sends from 0), and ENDS — rather
 * than fails — when the source breaks, so the target keeps what arrived; `failure()` tells why.
 */
function relay(source: Readable, skip: number, onChunk: (chunk: Buffer) => void): { stream: PassThrough; failure: () => unknown } {
  let failure: unknown = null
  let toSkip = skip
  const out = new PassThrough({ highWaterMark: 1 << 20 })
  source.on('data', (chunk: Buffer) => {
    if (toSkip > 0) {
      if (chunk.length <= toSkip) {
        toSkip -= chunk.length
        return
      }
      chunk = chunk.subarray(toSkip)
      toSkip = 0
    }
    onChunk(chunk)
    if (!out.write(chunk)) source.pause()
  })
  out.on('drain', () => source.resume())
  const stop = (err: unknown) => {
    if (failure !== null || out.writableEnded) return
    failure = err
    out.end()
  }
  source.on('end', () => {
    if (!out.writableEnded) out.end()
  })
  source.on('error', (err) => stop(err))
  source.on('aborted', () => stop(Object.assign(new Error('the source closed the connection mid-blob'), { code: 'ECONNRESET' })))
  // The consumer went away (target failed): stop reading the source.
  out.on('close', () => source.destroy())
  return { stream: out, failure: () => failure }
}

export async function copyBlob(job: BlobJob): Promise<BlobOutcome> {
  const { source, target, digest, size, signal } = job
  if ((await target.blobSize(job.targetRepo, digest)) !== null) {
    job.onPhase?.('exists')
    return 'exists'
  }
  if (source.identity === target.identity && job.sourceRepo !== job.targetRepo && (await target.mount(job.targetRepo, digest, job.sourceRepo))) {
    job.onPhase?.('mounted')
    return 'mounted'
  }
  job.onPhase?.('copying')
  const saved = await job.resume.get(target.identity, job.targetRepo, digest)
  let session: UploadSession | null = saved ? await target.resumeUpload(job.targetRepo, saved) : null
  if (session && session.offset > size) {
    await session.cancel()
    session = null
  }
  if (!session) {
    session = await target.startUpload(job.targetRepo)
    await job.resume.set(target.identity, job.targetRepo, digest, session.handle)
  }
  // Our own check of the digest, when this process sees every byte from the first.
  let hash: Hash | null = session.offset === 0 ? createHash(digest.startsWith('sha512:') ? 'sha512' : 'sha256') : null
  let hashed = session.offset
  job.onBytes?.(session.offset)

  const maxAttempts = job.attempts ?? 6
  let failures = 0
  while (session.offset < size || size === 0) {
    let problem: unknown
    try {
      const opened = await source.openBlob(job.sourceRepo, digest, session.offset, signal)
      const skip = session.offset - opened.start
      let passed = session.offset
      const r = relay(opened.stream, skip, (chunk) => {
        hash?.update(chunk)
        hashed += chunk.length
        passed += chunk.length
        job.onBytes?.(passed)
      })
      session.offset = await session.append(r.stream, signal)
      problem = r.failure()
    } catch (err) {
      problem = err
    }
    if (signal?.aborted) throw signal.reason
    if (problem === null) {
      if (session.offset !== hashed) hash = null
      if (size === 0 || session.offset >= size) break
      problem = new Error(`the source ended at byte ${session.offset} of ${size}`)
    }
    if (++failures >= maxAttempts || problem instanceof BerthError) {
      if (problem instanceof BerthError) throw problem
      throw new BerthError('TRANSFER_FAILED', `Copying blob ${digest} broke off ${failures} times (${(problem as Error).message}); run the copy again to continue where it stopped.`, { digest })
    }
    // What did the target keep? Continue from there, or start the blob over when it forgot the upload.
    const held = await session.refresh().catch(() => null)
    if (held === null || held > size) {
      session = await target.startUpload(job.targetRepo)
      await job.resume.set(target.identity, job.targetRepo, digest, session.handle)
      hash = createHash(digest.startsWith('sha512:') ? 'sha512' : 'sha256')
      hashed = 0
    } else {
      if (held !== hashed) hash = null
      session.offset = held
    }
    job.onBytes?.(session.offset)
    await sleep(backoffMs(failures - 1, { ...DEFAULT_RETRY, baseMs: 200 }), signal)
  }
  if (hash && `${digest.split(':')[0]}:${hash.digest('hex')}` !== digest) {
    await session.cancel()
    await job.resume.clear(target.identity, job.targetRepo, digest)
    throw new BerthError('TRANSFER_FAILED', `The source sent content for ${digest} that has another digest; the source registry is damaged or something altered the data.`, { digest })
  }
  try {
    await session.commit(digest)
  } finally {
    // A refused commit (wrong bytes) must not be resumed either: the next run starts the blob afresh.
    await job.resume.clear(target.identity, job.targetRepo, digest)
  }
  job.onPhase?.('copied')
  return 'copied'
}
