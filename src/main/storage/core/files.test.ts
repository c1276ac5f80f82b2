import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeDir } from './files'

describe('makeDir: mkdir -p that always ends', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })
  const temp = async () => {
    const d = await mkdtemp(join(tmpdir(), 'berth-makedir-'))
    dirs.push(d)
    return d
  }

  // Node's mkdir({ recursive: true }) spins forever here: ENOENT for /proc/nope, EEXIST for /proc.
  it.skipIf(!existsSync('/proc/self'))('refuses /proc/nope at once instead of looping', async () => {
    await expect(makeDir('/proc/nope/deeper')).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(makeDir('/proc/nope')).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('makes every missing folder, and is content with one that exists', async () => {
    const root = await temp()
    const deep = join(root, 'a', 'b', 'c')
    await makeDir(deep)
    expect((await stat(deep)).isDirectory()).toBe(true)
    await makeDir(deep)
    await makeDir(root)
  })

  it('gives the mode to the folders it makes', async () => {
    const root = await temp()
    await makeDir(join(root, 'x', 'y'), 0o700)
    expect((await stat(join(root, 'x'))).mode & 0o777).toBe(0o700)
    expect((await stat(join(root, 'x', 'y'))).mode & 0o777).toBe(0o700)
  })

  it('a file in the way is ENOTDIR, whether it is the folder or a parent', async () => {
    const root = await temp()
    await writeFile(join(root, 'file'), '')
    await expect(makeDir(join(root, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' })
    await expect(makeDir(join(root, 'file', 'below'))).rejects.toMatchObject({ code: 'ENOTDIR' })
  })

  it('many at once making the same tree all succeed', async () => {
    const root = await temp()
    await Promise.all(Array.from({ length: 16 }, (_, i) => makeDir(join(root, 'p', 'q', String(i % 3)))))
    for (const i of [0, 1, 2]) expect((await stat(join(root, 'p', 'q', String(i)))).isDirectory()).toBe(true)
  })
})
