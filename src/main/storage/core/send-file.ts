import { open } from 'node:fs/promises'
import type { Writable } from 'node:stream'

/*
 * A blob sent to a client with two buffers of its own, read into one while the other is on its way
 * out. A read stream piped to the socket makes a new buffer per read instead, which lives until the
 * socket has sent it: with fifty pulls at once those buffers outlive young-generation collections,
 * are promoted and pile up until a full one (fifty 64 MiB pulls held 70 MB of them). Here nothing is
 * allocated per chunk, so fifty pulls hold fifty times two buffers and no more.
 */
export const SEND_CHUNK = 128 * 1024

/** The destination was closed (the client went away) before all was sent. */
export class DestinationClosedError extends Error {
  readonly code = 'ERR_STREAM_PREMATURE_CLOSE'
  constructor() {
    super('the destination closed before the file was sent')
  }
}

/**
 * Writes bytes `start`..`end` (inclusive) of `path` to `out`, then ends it. Rejects with the file's
 * error (a read failure: the disk), or DestinationClosedError / the destination's error (the client).
 */
export async function sendFile(path: string, range: { start: number; end: number }, out: Writable): Promise<void> {
  const handle = await open(path, 'r')
  let failed: Error | null = null
  const closed = new Promise<never>((_, reject) => {
    const onClose = () => reject((failed ??= new DestinationClosedError()))
    const onError = (err: Error) => reject((failed ??= err))
    out.once('close', onClose)
    out.once('error', onError)
  })
  closed.catch(() => {})
  try {
    const buffers = [Buffer.allocUnsafeSlow(SEND_CHUNK), Buffer.allocUnsafeSlow(SEND_CHUNK)]
    const sent: (Promise<void> | null)[] = [null, null]
    let position = range.start
    let turn = 0
    while (position <= range.end) {
      // This buffer is free once the socket has taken what it held before.
      if (sent[turn]) await Promise.race([sent[turn], closed])
      if (failed) throw failed
      const buffer = buffers[turn]
      const { bytesRead } = await handle.read(buffer, 0, Math.min(SEND_CHUNK, range.end - position + 1), position)
      if (bytesRead === 0) throw Object.assign(new Error(`${path} ended at byte ${position}, before ${range.end + 1}`), { code: 'EIO' })
      position += bytesRead
      if (failed) throw failed
      sent[turn] = new Promise<void>((resolve, reject) => out.write(buffer.subarray(0, bytesRead), (err) => (err ? reject(err) : resolve())))
      sent[turn]!.catch(() => {})
      turn ^= 1
    }
    await Promise.race([Promise.all(sent), closed])
    await Promise.race([new Promise<void>((resolve) => out.end(resolve)), closed])
  } finally {
    await handle.close()
  }
}
