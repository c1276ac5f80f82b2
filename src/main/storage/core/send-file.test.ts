import { randomBytes } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { DestinationClosedError, SEND_CHUNK, sendFile } from './send-file'

/** A destination that keeps what it is sent, slowly (every write completes on a later turn). */
function sink() {
  const chunks: Buffer[] = []
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      // A copy: the sender reuses its buffers once a write is done.
      chunks.push(Buffer.from(chunk))
      setImmediate(done)
    }
  })
  return { out, bytes: () => Buffer.concat(chunks) }
}

async function file(bytes: Buffer): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'berth-send-')), 'data')
  await writeFile(path, bytes)
  return path
}

describe('sending a file through two reused buffers', () => {
  it('sends exactly the range asked for, across many chunks, and ends the destination', async () => {
    const content = randomBytes(5 * SEND_CHUNK + 123)
    const path = await file(content)
    for (const [start, end] of [[0, content.length - 1], [7, 3 * SEND_CHUNK + 9], [content.length - 1, content.length - 1]]) {
      const { out, bytes } = sink()
      await sendFile(path, { start, end }, out)
      expect(out.writableEnded).toBe(true)
      expect(bytes().equals(content.subarray(start, end + 1))).toBe(true)
    }
  })

  it('a destination closed mid-way is the client’s end, not an error of the file', async () => {
    const path = await file(randomBytes(8 * SEND_CHUNK))
    const { out } = sink()
    setTimeout(() => out.destroy(), 1)
    await expect(sendFile(path, { start: 0, end: 8 * SEND_CHUNK - 1 }, out)).rejects.toSatisfy((e) => e instanceof DestinationClosedError || (e as NodeJS.ErrnoException).code === 'ERR_STREAM_DESTROYED')
  })

  it('a file shorter than its range is the disk’s error (EIO)', async () => {
    const path = await file(randomBytes(100))
    const { out } = sink()
    await expect(sendFile(path, { start: 0, end: 199 }, out)).rejects.toMatchObject({ code: 'EIO' })
  })
})
