import { open, type FileHandle } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { churned } from './churn'

/**
 * The body being stored (a request, an archive entry) failed or ended before it was complete: the
 * sender's side gave out, not the disk. `cause` is the body's own error, when it had one.
 */
export class BodyInterruptedError extends Error {
  constructor(readonly cause?: unknown) {
    super(cause instanceof Error ? `the content ended early: ${cause.message}` : 'the content ended before it was complete')
  }
}

export interface WriteBodyOptions {
  /** 'a' appends (an upload's next chunk), 'w' starts the file over. */
  flags: 'a' | 'w'
  /** Sees every chunk before it is written (an upload's running hash). */
  onChunk?: (chunk: Buffer) => void
}

/*
 * Why two buffers of our own rather than a write stream: a request's body arrives as ~64 KiB chunks
 * that Node allocates afresh. Handed to a write stream, each one lives until its write completes,
 * long enough to outlive a young-generation collection and be promoted; tens of megabytes of dead
 * chunks then wait for a full collection (that was most of the registry's memory during a big push).
 * Copied into one of two long-lived buffers instead, every chunk dies at once and young; one buffer
 * fills while the other is written, so the disk and the socket still work at the same time. The copy
 * costs far less than the sha256 the chunk goes through anyway.
 */
export const BODY_BUFFER = 256 * 1024

const ignore = () => {}

/** Writes all of `buf[0, length)`: a regular file may take a write in parts (the disk filling up). */
async function writeAll(handle: FileHandle, buf: Buffer, length: number): Promise<void> {
  let done = 0
  while (done < length) {
    const { bytesWritten } = await handle.write(buf, done, length - done, null)
    if (bytesWritten === 0) throw Object.assign(new Error('the disk took no more bytes'), { code: 'ENOSPC' })
    done += bytesWritten
  }
}

/**
 * Streams `body` into `path` with backpressure; resolves with the bytes written. Who failed decides
 * what is thrown: the body (BodyInterruptedError, and what arrived before it is on disk) or the
 * file (its own error, e.g. ENOSPC, EDQUOT, EIO, EROFS; how much of the body reached the disk is
 * then unknown: the caller cuts the file back). `body` is never destroyed, only paused: its owner
 * decides what happens to the rest of it (a request whose socket must still carry the error answer).
 * The file is closed before the promise settles, so the caller may truncate or remove it at once.
 */
export async function writeBody(body: Readable, path: string, options: WriteBodyOptions): Promise<number> {
  const handle = await open(path, options.flags)
  return new Promise<number>((resolve, reject) => {
    let fill: Buffer = Buffer.allocUnsafeSlow(BODY_BUFFER)
    let spare: Buffer | null = Buffer.allocUnsafeSlow(BODY_BUFFER)
    let used = 0
    let written = 0
    let writing = false
    /** Chunks (the first one perhaps in part) that found both buffers busy: they wait, the body paused. */
    const waiting: Buffer[] = []
    let waitingOffset = 0
    let ended = false
    /** The file's error (nothing more is written) or the body's (what arrived is still written). */
    let fileFailure: unknown = null
    let bodyFailure: unknown = null
    let settled = false

    const settle = () => {
      if (settled) return
      settled = true
      const failure = fileFailure ?? bodyFailure
      handle.close().then(
        () => (failure === null ? resolve(written) : reject(failure)),
        (err: unknown) => reject(failure ?? err)
      )
    }
    const detach = () => {
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('error', onBodyError)
      body.off('close', onBodyClose)
      // Without a listener, a later error of the body (its sender hanging up) would be thrown.
      body.on('error', ignore)
    }
    /** Starts writing the full buffer; the other one takes the next bytes. */
    const flush = () => {
      const buf = fill
      const length = used
      fill = spare!
      spare = null
      used = 0
      writing = true
      writeAll(handle, buf, length).then(
        () => {
          writing = false
          spare = buf
          if (waiting.length > 0) {
            absorb()
            if (waiting.length > 0) return
            if (!ended) body.resume()
          }
          if (ended) finish()
        },
        (err: unknown) => {
          writing = false
          fileFailure = err
          waiting.length = 0
          if (!ended) {
            ended = true
            detach()
            body.pause()
          }
          settle()
        }
      )
    }
    /** Copies the waiting chunks into the buffers; pauses the body when both are busy. */
    const absorb = () => {
      while (waiting.length > 0) {
        if (used === BODY_BUFFER) {
          if (writing) {
            body.pause()
            return
          }
          flush()
        }
        const chunk = waiting[0]
        const copied = chunk.copy(fill, used, waitingOffset)
        used += copied
        waitingOffset += copied
        if (waitingOffset === chunk.length) {
          waiting.shift()
          waitingOffset = 0
        }
      }
    }
    /** Everything has arrived (or the body gave out): write the rest, then close. */
    const finish = () => {
      if (writing || waiting.length > 0 || fileFailure !== null) return
      if (used > 0) return flush()
      settle()
    }

    const onData = (chunk: Buffer) => {
      options.onChunk?.(chunk)
      written += chunk.length
      churned(chunk.length)
      waiting.push(chunk)
      absorb()
    }
    const onEnd = () => {
      ended = true
      detach()
      finish()
    }
    const stop = (err: unknown) => {
      if (ended) return
      bodyFailure = err
      ended = true
      detach()
      body.pause()
      // What arrived is still written: the client may resume from it.
      finish()
    }
    const onBodyError = (err: unknown) => stop(new BodyInterruptedError(err))
    const onBodyClose = () => stop(new BodyInterruptedError())

    if (body.readableEnded) return onEnd()
    if (body.destroyed) return stop(new BodyInterruptedError(body.errored ?? undefined))
    body.on('data', onData)
    body.on('end', onEnd)
    body.on('error', onBodyError)
    body.on('close', onBodyClose)
    body.resume()
  })
}
