import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Logger } from 'pino'
import { BerthError } from '@shared/errors'
import { checkRoom, isDiskFull, megabytes } from '../storage/core/free-space'
import { sendJson } from './http-reply'

export const GIB = 2 ** 30

export interface UploadLimits {
  /** The largest file the window may upload (64 GiB: more than any image archive a laptop holds). */
  maxBytes: number
  /** Left free on the data folder's disk after the upload, so the registry can still write. */
  reserveBytes: number
}

export const UPLOAD_LIMITS: UploadLimits = { maxBytes: 64 * GIB, reserveBytes: GIB / 2 }

const STATUS: Partial<Record<BerthError['code'], number>> = { DISK_FULL: 507, FOLDER_NOT_WRITABLE: 503 }

function answerError(res: ServerResponse, err: BerthError, status = STATUS[err.code] ?? 400): void {
  // The rest of the body is not read: this connection cannot carry another request.
  sendJson(res, status, { ok: false, error: err.toData() }, { Connection: 'close' })
}

function diskFull(dir: string, freeBytes: number, needed?: number): BerthError {
  return new BerthError(
    'DISK_FULL',
    `The data folder’s disk is full: ${megabytes(freeBytes)} free on ${dir}${needed !== undefined ? ` and the file needs ${megabytes(needed)}` : ''}; free some space (Storage → Collect garbage) or move the data folder to a bigger disk, then drop the file again.`,
    { dir, freeBytes, ...(needed !== undefined ? { neededBytes: needed } : {}) }
  )
}

function tooLarge(limit: number): BerthError {
  return new BerthError(
    'INVALID_INPUT',
    `The file is larger than ${megabytes(limit)}, the most Berth takes through the window; import it with \`berth import <file>\` on the machine that runs berth serve.`,
    { maxBytes: limit }
  )
}

/**
 * PUT /api/upload: a file dropped into the browser window (a browser gives no path), streamed to the
 * data folder's upload inbox; answers its path for `storage.import`, which removes it after. Refused
 * before a byte is read when the declared size is over the cap (413) or more than the disk holds
 * minus the reserve (507); a disk that fills mid-way is a 507 too, and the partial file goes at once.
 * A client hanging up is only logged. Throws only what the transport's last-word handler takes.
 */
export async function receiveUpload(req: IncomingMessage, res: ServerResponse, options: { inboxFile: () => Promise<string>; limits: UploadLimits; log: Logger }): Promise<void> {
  const { limits, log } = options
  let path: string
  try {
    path = await options.inboxFile()
  } catch (err) {
    if (err instanceof BerthError) return answerError(res, err)
    throw err
  }
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length'])
  if (declared !== null && declared > limits.maxBytes) return answerError(res, tooLarge(limits.maxBytes), 413)
  const dir = dirname(path)
  const room = await checkRoom(dir, declared ?? 0, limits.reserveBytes)
  if (!room.fits) return answerError(res, diskFull(dir, room.freeBytes, declared ?? undefined), 507)

  let received = 0
  let overCap = false
  let writeError: Error | null = null
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length
      if (received > limits.maxBytes) {
        overCap = true
        return done(new Error('over the upload cap'))
      }
      done(null, chunk)
    }
  })
  const file = createWriteStream(path, { flags: 'wx' })
  file.on('error', (err) => (writeError = err))
  try {
    // The request is read through an iterator that does not destroy it on failure: destroying an
    // unfinished request destroys its socket, and the refusal below could not be sent.
    await pipeline(req.iterator({ destroyOnReturn: false }), cap, file)
  } catch (err) {
    await rm(path, { force: true }).catch((e) => log.warn({ err: e, path }, 'could not remove a partial upload'))
    if (overCap) return answerError(res, tooLarge(limits.maxBytes), 413)
    const failed = writeError as NodeJS.ErrnoException | null
    if (failed) {
      // Our own write failed: that is the server's problem, never "the client hung up".
      if (isDiskFull(failed)) {
        const { freeBytes } = await checkRoom(dir, 0, 0).catch(() => ({ freeBytes: 0 }))
        log.warn({ path, received, code: failed.code }, 'upload stopped: the disk is full')
        return answerError(res, diskFull(dir, freeBytes), 507)
      }
      log.error({ err: failed, path, received }, 'upload could not be written')
      return answerError(res, new BerthError('FOLDER_NOT_WRITABLE', `Berth could not write the file into ${dir} (${failed.code ?? failed.message}); check that the data folder is writable, then drop the file again.`), 500)
    }
    log.info({ received, err: (err as Error).message }, 'upload cut short by the client')
    res.destroy()
    return
  }
  sendJson(res, 200, { ok: true, result: { path } })
}
