import { createHash, randomBytes } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { DeflatePool } from './deflate-pool'
import { gzipLayer, passThrough, storedBlocks, type GzipOptions } from './layer-encoder'

const pool = new DeflatePool(2)
afterAll(() => pool.close())

/** Half random (incompressible), half text, in pieces of odd sizes as a tar stream would arrive. */
function layerData(bytes: number): Buffer {
  const out = Buffer.alloc(bytes)
  for (let o = 0; o < bytes; o += 256 * 1024) {
    if ((o / (256 * 1024)) % 2 === 0) randomBytes(Math.min(256 * 1024, bytes - o)).copy(out, o)
    else out.write(`log line ${o} with some words repeated\n`.repeat(8000), o, Math.min(256 * 1024, bytes - o))
  }
  return out
}

async function* pieces(data: Buffer, size = 70_001): AsyncGenerator<Buffer> {
  for (let o = 0; o < data.length; o += size) yield data.subarray(o, o + size)
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const p of it) parts.push(p)
  return Buffer.concat(parts)
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

describe('layer encodings', () => {
  const data = layerData(5 * 1024 * 1024 + 12_345)

  it.each<[string, Partial<GzipOptions>]>([
    ['chunks, level 1, stored blocks for random chunks', {}],
    ['chunks, level 6, no stored blocks', { level: 6, storeIncompressible: false }],
    ['chunks of 256 KiB', { chunkBytes: 256 * 1024 }],
    ['one zlib stream per layer', { mode: 'stream' }]
  ])('gzip (%s) is one member gunzip reads back, with the diff ID of the input', async (_name, over) => {
    const encoded = gzipLayer(pieces(data), { level: 1, mode: 'chunks', storeIncompressible: true, chunkBytes: 1 << 20, ...over }, pool)
    const gz = await collect(encoded.output)
    expect(gunzipSync(gz).equals(data)).toBe(true)
    expect(await encoded.result).toEqual({ diffId: sha(data), size: data.length })
    // Half of it is text: it must compress well, whatever the mode.
    expect(gz.length).toBeLessThan(data.length * 0.6)
  })

  it('random chunks cost next to nothing extra when stored, and the same input gives the same bytes', async () => {
    const random = randomBytes(3 * 1024 * 1024)
    const a = await collect(gzipLayer(pieces(random), undefined, pool).output)
    const b = await collect(gzipLayer(pieces(random, 4096), undefined, pool).output)
    expect(gunzipSync(a).equals(random)).toBe(true)
    expect(a.equals(b)).toBe(true)
    expect(a.length - random.length).toBeLessThan(1024)
  })

  it('tiny chunks (Node keeps buffers under 4 KiB in a shared pool) move to workers without harm', async () => {
    const inputs = [100, 4095, (1 << 20) + 100, 3 * 4096 + 1].map((n) => layerData(n))
    const outputs = await Promise.all(inputs.map((d) => collect(gzipLayer(pieces(d, 1000), { level: 1, mode: 'chunks', storeIncompressible: true, chunkBytes: 4096 }, pool).output)))
    outputs.forEach((gz, i) => expect(gunzipSync(gz).equals(inputs[i])).toBe(true))
  })

  it('an empty layer is a valid empty gzip', async () => {
    const encoded = gzipLayer(pieces(Buffer.alloc(0)), undefined, pool)
    expect(gunzipSync(await collect(encoded.output)).length).toBe(0)
    expect((await encoded.result).size).toBe(0)
  })

  it('uncompressed passes the bytes through and hashes them', async () => {
    const encoded = passThrough(pieces(data))
    expect((await collect(encoded.output)).equals(data)).toBe(true)
    expect((await encoded.result).diffId).toBe(sha(data))
  })

  it('stored blocks split at 65535 bytes', () => {
    const raw = randomBytes(65535 * 2 + 7)
    const blocks = storedBlocks(raw)
    expect(blocks.length).toBe(raw.length + 15)
    expect(blocks.readUInt16LE(1)).toBe(65535)
    expect(blocks.readUInt16LE(65540 + 65540 + 1)).toBe(7)
  })
})
