import { chmod, link, readFile, rm, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { isNotFound, makeDir } from '../storage/core/files'

/** The TLS folder: only its owner may even list it. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await makeDir(dir, 0o700)
  await chmod(dir, 0o700).catch(() => {})
}

export async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (isNotFound(err)) return null
    throw err
  }
}

/**
 * Creates `path` only if it does not exist yet (hard link of a finished temporary file, which is
 * atomic and fails with EEXIST): of two processes making the CA at once, exactly one wins. Returns
 * whether this call created it.
 */
export async function createExclusive(path: string, data: string, mode: number): Promise<boolean> {
  const tmp = `${path}.${randomUUID()}.tmp`
  await writeFile(tmp, data, { mode, flag: 'wx' })
  try {
    await link(tmp, path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  } finally {
    await rm(tmp, { force: true })
  }
}
