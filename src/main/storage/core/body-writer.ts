import { createWriteStream } from 'node:fs'
import type { Readable } from 'node:stream'

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
 * Small on purpose: a request's chunks are 64 KiB socket reads, and four of them in flight keep the
 * disk busy while the socket is read. A bigger buffer only holds more memory per upload (20 pushes at
 * once hold 20 of them) without writing any faster.
 */
const FILE_BUFFER = 256 * 1024

const ignore = () => {}

/**
 * Streams `body` into `path` with backpressure; resolves with the bytes written. Who failed decides
 * what is thrown: the body (BodyInterruptedError, and what arrived before it is on disk) or the
 * file (its own error, e.g. ENOSPC, EDQUOT, EIO, EROFS; how much of the body reached the disk is
 * then unknown: the caller cuts the file back). `body` is never destroyed, only paused: its owner
 * decides what happens to the rest of it (a request whose socket must still carry the error answer).
 * The file is closed before the promise settles, so the caller may truncate or remove it at once.
 */
export function writeBody(body: Readable, path: string, options: WriteBodyOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const file = createWriteStream(path, { flags: options.flags, highWaterMark: FILE_BUFFER })
    let written = 0
    let failure: unknown = null
    let ended = false

    const onData = (chunk: Buffer) => {
      options.onChunk?.(chunk)
      written += chunk.length
      if (!file.write(chunk)) body.pause()
    }
    const onDrain = () => {
      if (failure === null) body.resume()
    }
    const onEnd = () => {
      ended = true
      detach()
      file.end()
    }
    const onBodyError = (err: unknown) => stop(new BodyInterruptedError(err))
    const onBodyClose = () => {
      if (!ended) stop(new BodyInterruptedError())
    }
    function detach() {
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('error', onBodyError)
      body.off('close', onBodyClose)
      file.off('drain', onDrain)
      // Without a listener, a later error of the body (its sender hanging up) would be thrown.
      body.on('error', ignore)
    }
    /** The body gave out: write what came, then settle with why. */
    function stop(err: unknown) {
      if (failure !== null) return
      failure = err
      detach()
      body.pause()
      file.end()
    }

    file.on('error', (err) => {
      if (failure !== null) return
      failure = err
      detach()
      body.pause()
    })
    // 'close' follows both a finished and a failed file (autoClose): the descriptor is gone by now.
    file.on('close', () => (failure === null ? resolve(written) : reject(failure)))

    if (body.readableEnded) return onEnd()
    if (body.destroyed) return stop(new BodyInterruptedError(body.errored ?? undefined))
    body.on('data', onData)
    body.on('end', onEnd)
    body.on('error', onBodyError)
    body.on('close', onBodyClose)
    file.on('drain', onDrain)
    body.resume()
  })
}
