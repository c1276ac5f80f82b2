import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { sharedDeflatePool, type DeflatePool } from './deflate-pool'

// How a layer read from the engine (an uncompressed tar) is stored: as it is, or gzip-compressed the
// way `docker push` stores it. Either way the diff ID (sha256 of the tar) is computed on the way.

export type LayerEncoding = 'gzip' | 'uncompressed'

export interface GzipOptions {
  /** zlib level: 1 is several times faster than 6 for a few per cent more bytes (see bench/vm-push.mjs). */
  level: number
  /**
   * `chunks`: pigz's scheme, chunks deflated in parallel by worker threads (one tar stream, many cores);
   * `stream`: one zlib stream per layer (libuv's thread pool; one core per layer, and layers come one by one).
   */
  mode: 'chunks' | 'stream'
  /** Chunks that barely compress (sampled) go as stored blocks: no CPU spent on random bytes. */
  storeIncompressible: boolean
  chunkBytes: number
}

/**
 * Measured in bench/vm-push.mjs on 2 cores: chunks 1.99× docker push, one stream per layer 0.99× (the
 * save stream is one sequential tar, so per-layer parallelism would need a second export or a copy);
 * level 6 1.04× for 5 % fewer bytes than level 1; without stored blocks 1.46×.
 */
export const DEFAULT_GZIP: GzipOptions = { level: 1, mode: 'chunks', storeIncompressible: true, chunkBytes: 1 << 20 }

export interface Encoded {
  /** The bytes to store. */
  output: AsyncIterable<Buffer>
  /** Once `output` has been read to its end: the diff ID (`sha256:…` of the input) and the input's size. */
  result: Promise<{ diffId: string; size: number }>
}

/** The layer as it is: the stored blob is the tar, its digest the diff ID. */
export function passThrough(source: AsyncIterable<Buffer>): Encoded {
  const hash = createHash('sha256')
  let size = 0
  let finish!: (r: { diffId: string; size: number }) => void
  const result = new Promise<{ diffId: string; size: number }>((r) => (finish = r))
  async function* output() {
    for await (const chunk of source) {
      hash.update(chunk)
      size += chunk.length
      yield chunk
    }
    finish({ diffId: `sha256:${hash.digest('hex')}`, size })
  }
  return { output: output(), result }
}

/** gzip of the layer, by `options.mode`; the output is one gzip member whatever the mode. */
export function gzipLayer(source: AsyncIterable<Buffer>, options: GzipOptions = DEFAULT_GZIP, pool: DeflatePool = sharedDeflatePool()): Encoded {
  return options.mode === 'stream' ? gzipStream(source, options.level) : gzipChunks(source, options, pool)
}

function gzipStream(source: AsyncIterable<Buffer>, level: number): Encoded {
  const plain = passThrough(source)
  const gzip = zlib.createGzip({ level, chunkSize: 1 << 16 })
  const input = Readable.from(plain.output)
  input.on('error', (err) => gzip.destroy(err))
  input.pipe(gzip)
  return { output: gzip, result: plain.result }
}

// gzip framing (RFC 1952) around raw deflate: a header with no name and time 0 (the same bytes every
// time), an empty final block ending the deflate stream, and the CRC-32 and length of the input.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255])
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00])
const WINDOW = 32 * 1024
const STORED_MAX = 65535

/** Deflate stored blocks (no compression) holding `data`; the stream is byte-aligned before and after. */
export function storedBlocks(data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / STORED_MAX))
  const out = Buffer.allocUnsafe(data.length + 5 * blocks)
  let o = 0
  for (let i = 0; i < blocks; i++) {
    const piece = data.subarray(i * STORED_MAX, (i + 1) * STORED_MAX)
    out[o] = 0 // BFINAL 0, BTYPE 00 (stored), padding to the byte boundary
    out.writeUInt16LE(piece.length, o + 1)
    out.writeUInt16LE(~piece.length & 0xffff, o + 3)
    piece.copy(out, o + 5)
    o += 5 + piece.length
  }
  return out
}

/** Exactly `size`-byte chunks (the last one shorter), each owning its memory (moved to workers whole). */
async function* rechunk(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let current = Buffer.allocUnsafeSlow(size)
  let filled = 0
  for await (const chunk of source) {
    let at = 0
    while (at < chunk.length) {
      const n = Math.min(size - filled, chunk.length - at)
      chunk.copy(current, filled, at, at + n)
      filled += n
      at += n
      if (filled === size) {
        yield current
        current = Buffer.allocUnsafeSlow(size)
        filled = 0
      }
    }
  }
  // A buffer of its own too (allocUnsafeSlow: never Node's shared pool, whose memory must not move).
  if (filled > 0) {
    const last = Buffer.allocUnsafeSlow(filled)
    current.copy(last, 0, 0, filled)
    yield last
  }
}

function gzipChunks(source: AsyncIterable<Buffer>, options: GzipOptions, pool: DeflatePool): Encoded {
  const hash = createHash('sha256')
  let size = 0
  let crc = 0
  let finish!: (r: { diffId: string; size: number }) => void
  const result = new Promise<{ diffId: string; size: number }>((r) => (finish = r))
  // Enough chunks in flight to keep every worker busy while the main thread hashes the next one.
  const depth = pool.size * 2

  async function* output(): AsyncGenerator<Buffer> {
    yield GZIP_HEADER
    const inflight: Promise<Buffer>[] = []
    let dictionary: Buffer | null = null
    try {
      for await (const chunk of rechunk(source, options.chunkBytes)) {
        hash.update(chunk)
        crc = zlib.crc32(chunk, crc)
        size += chunk.length
        // The next chunk's dictionary is copied first: the chunk itself moves to a worker.
        const next = Buffer.from(chunk.subarray(Math.max(0, chunk.length - WINDOW)))
        const job = pool
          .deflate(chunk, dictionary, options.level, options.storeIncompressible)
          .then((r) => ('deflated' in r ? r.deflated : storedBlocks(r.stored)))
        job.catch(() => {}) // awaited in order below; a consumer that stops early must not leave it unhandled
        inflight.push(job)
        dictionary = next
        while (inflight.length >= depth) yield await inflight.shift()!
      }
      while (inflight.length > 0) yield await inflight.shift()!
    } finally {
      inflight.length = 0
    }
    const trailer = Buffer.allocUnsafe(8)
    trailer.writeUInt32LE(crc >>> 0, 0)
    trailer.writeUInt32LE(size % 2 ** 32, 4)
    yield Buffer.concat([FINAL_EMPTY_BLOCK, trailer])
    finish({ diffId: `sha256:${hash.digest('hex')}`, size })
  }
  return { output: output(), result }
}
