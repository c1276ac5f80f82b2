import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

// Files the browser window uploaded (`PUT /api/upload`) wait in `<data>/berth/staging/` for the
// `storage.import` that removes them. An upload nobody imported (a closed tab, a killed process)
// would stay forever: these helpers count them and sweep them by age.

const STAGED = /^upload-[0-9a-f]+\.tar$/

async function staged(dir: string): Promise<{ path: string; size: number; mtimeMs: number }[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  const out = []
  for (const name of names) {
    if (!STAGED.test(name)) continue
    const st = await stat(join(dir, name)).catch(() => null)
    if (st?.isFile()) out.push({ path: join(dir, name), size: st.size, mtimeMs: st.mtimeMs })
  }
  return out
}

/** How many uploaded files wait in `dir`, and their bytes (for storage.usage). */
export async function stagedUploads(dir: string): Promise<{ files: number; bytes: number }> {
  const files = await staged(dir)
  return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) }
}

/**
 * Removes uploaded files untouched for `maxAgeMs` (an upload still being written is touched by
 * every chunk, so it is never taken). Returns how many went.
 */
export async function sweepStagedUploads(dir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let removed = 0
  for (const f of await staged(dir)) {
    if (now - f.mtimeMs < maxAgeMs) continue
    await rm(f.path, { force: true })
    removed++
  }
  return removed
}
