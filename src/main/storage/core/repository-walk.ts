import { join } from 'node:path'
import { isValidName } from '@shared/reference'
import { listEntries } from './files'
import { REPOSITORY_MARKERS, UPLOADS_FOLDER } from './paths'

/**
 * Repository names under `root` (a layout's `repositories`): folders holding one of `markers` — a
 * repository is a folder with `_manifests` or `_layers`; one with only `_uploads` is being created.
 * `_` folders are never part of a name.
 */
export async function findRepositories(root: string, markers: readonly string[] = REPOSITORY_MARKERS): Promise<string[]> {
  const found: string[] = []
  async function visit(dir: string, prefix: string): Promise<void> {
    const entries = await listEntries(dir)
    if (prefix && isValidName(prefix) && entries.some((e) => e.isDirectory() && markers.includes(e.name)))
      found.push(prefix)
    await Promise.all(
      entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('_'))
        .map((e) => visit(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name))
    )
  }
  await visit(root, '')
  return found
}

/** Repositories holding uploads (finished or not). */
export function findUploadingRepositories(root: string): Promise<string[]> {
  return findRepositories(root, [UPLOADS_FOLDER])
}
