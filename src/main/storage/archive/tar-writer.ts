import { createReadStream, createWriteStream } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'

/** Entries get a fixed time so two exports of the same images are the same bytes. */
const ENTRY_TIME = new Date('2000-01-01T00:00:00Z')

export interface TarWriter {
  addBuffer(name: string, bytes: Buffer): Promise<void>
  /** Streams a file of known size into the archive, with the pack's backpressure; `onBytes` sees each chunk's length. */
  addFile(name: string, path: string, size: number, onBytes?: (n: number) => void): Promise<void>
}

function writerOf(pack: tar.Pack): TarWriter {
  return {
    addBuffer: (name, data) =>
      new Promise<void>((resolve, reject) => {
        pack.entry({ name, size: data.length, mode: 0o644, mtime: ENTRY_TIME }, data, (err) => (err ? reject(err) : resolve()))
      }),
    addFile: async (name, path, size, onBytes) => {
      const entry = pack.entry({ name, size, mode: 0o644, mtime: ENTRY_TIME })
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          onBytes?.(chunk.length)
          cb(null, chunk)
        }
      })
      await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), tap, entry)
    }
  }
}

/**
 * A tar as a stream (for `docker load`): `fill` adds the entries, paced by whoever reads `stream`.
 * A failing `fill` destroys the stream with its error; `done` settles when the tar is complete.
 */
export function tarStream(fill: (writer: TarWriter) => Promise<void>): { stream: Readable; done: Promise<void> } {
  const pack = tar.pack()
  const done = fill(writerOf(pack)).then(
    () => {
      pack.finalize()
    },
    (err: Error) => {
      pack.destroy(err)
      throw err
    }
  )
  done.catch(() => {})
  return { stream: pack as unknown as Readable, done }
}

/**
 * Writes a tar to `<file>.partial` and renames it to `file` once complete and synced, so a failed or
 * interrupted export never leaves something that looks like an archive. Returns the archive's size.
 */
export async function writeTarFile(file: string, fill: (writer: TarWriter) => Promise<void>): Promise<number> {
  const partial = `${file}.partial`
  const pack = tar.pack()
  let bytes = 0
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length
      cb(null, chunk)
    }
  })
  const written = pipeline(pack, count, createWriteStream(partial, { highWaterMark: 1 << 20 }))
  // A failing disk ends `written` early; racing it keeps `fill` from waiting forever on backpressure.
  const failed = written.then(() => new Promise<never>(() => {}))

  try {
    await Promise.race([fill(writerOf(pack)), failed])
    pack.finalize()
    await written
    const handle = await open(partial, 'r+')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(partial, file)
    return bytes
  } catch (err) {
    pack.destroy(err as Error)
    await written.catch(() => {})
    await unlink(partial).catch(() => {})
    throw err
  }
}
