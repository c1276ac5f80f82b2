import { rm, stat } from 'node:fs/promises'
import { listDir } from '../core/files'
import { isInboxFileName, paths, type Layout } from '../core/paths'

// Files the browser window uploaded (`PUT /api/upload`) wait in the data folder's upload inbox for
// the `storage.import` that removes them. An upload nobody imported (a closed tab, a killed process)
// would stay forever: these count them and sweep them by age.

async function inbox(layout: Layout): Promise<{ path: string; size: number; mtimeMs: number }[]> {
  const out = []
  for (const name of await listDir(paths.uploadInbox(layout))) {
    if (!isInboxFileName(name)) continue
    const path = paths.inboxFile(layout, name.slice('upload-'.length, -'.tar'.length))
    const st = await stat(path).catch(() => null)
    if (st?.isFile()) out.push({ path, size: st.size, mtimeMs: st.mtimeMs })
  }
  return out
}

/** How many uploaded files wait in the inbox, and their bytes (for storage.usage). */
export async function inboxUploads(layout: Layout): Promise<{ files: number; bytes: number }> {
  const files = await inbox(layout)
  return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) }
}

/**
 * Removes uploaded files untouched for `maxAgeMs` (an upload still being written is touched by
 * every chunk, so it is never taken). Returns how many went.
 */
export async function sweepInbox(layout: Layout, maxAgeMs: number, now = Date.now()): Promise<number> {
  let removed = 0
  for (const f of await inbox(layout)) {
    if (now - f.mtimeMs < maxAgeMs) continue
    await rm(f.path, { force: true })
    removed++
  }
  return removed
}
