import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { BODY_BUFFER, BodyInterruptedError, writeBody } from './body-writer'

const temp = async () => join(await mkdtemp(join(tmpdir(), 'berth-body-')), 'data')

describe('writing a body to a file', () => {
  it('writes every byte in order, whatever the chunk sizes (below, at and above its buffers), and hashes what it writes', async () => {
    const sizes = [1, 100, BODY_BUFFER - 1, BODY_BUFFER, 3 * BODY_BUFFER + 7, 64 * 1024, 0, 5]
    const chunks = sizes.map((n) => randomBytes(n))
    const path = await temp()
    const hash = createHash('sha256')
    const written = await writeBody(Readable.from(chunks), path, { flags: 'a', onChunk: (c) => hash.update(c) })
    const all = Buffer.concat(chunks)
    expect(written).toBe(all.length)
    expect((await readFile(path)).equals(all)).toBe(true)
    expect(hash.digest('hex')).toBe(createHash('sha256').update(all).digest('hex'))
    // Appends: a second body goes after the first.
    await writeBody(Readable.from([Buffer.from('tail')]), path, { flags: 'a' })
    expect((await readFile(path)).subarray(-4).toString()).toBe('tail')
  })

  it('a body that gives out is the sender’s failure: what arrived is on disk, the body is not destroyed by the writer', async () => {
    const path = await temp()
    const body = new PassThrough()
    const first = randomBytes(BODY_BUFFER + 10)
    body.write(first)
    setTimeout(() => body.destroy(new Error('socket hang up')), 20)
    const err = await writeBody(body, path, { flags: 'w' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BodyInterruptedError)
    expect((err as BodyInterruptedError).cause).toMatchObject({ message: 'socket hang up' })
    expect((await readFile(path)).equals(first)).toBe(true)
  })

  it.skipIf(!existsSync('/dev/full'))('a disk that refuses bytes is the file’s failure (ENOSPC), and the body is only paused, never destroyed', async () => {
    const body = new PassThrough()
    body.write(randomBytes(3 * BODY_BUFFER))
    const err = await writeBody(body, '/dev/full', { flags: 'a' }).catch((e: unknown) => e)
    expect(err).not.toBeInstanceOf(BodyInterruptedError)
    expect(err).toMatchObject({ code: 'ENOSPC' })
    expect(body.destroyed).toBe(false)
    expect(body.isPaused()).toBe(true)
  })
})
