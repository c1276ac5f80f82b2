import { resolve } from 'node:path'
import type { z } from 'zod'
import { BerthError } from '@shared/errors'
import type { ImportResult } from '@shared/model/storage'
import { repositoryProblem } from '@shared/reference'
import type { Storage } from '../index'
import { statOrNull } from '../core/files'
import { isDiskFull, megabytes } from '../core/free-space'
import { StorageUnavailableError } from '../core/root-watch'
import { dockerTargets } from './import-docker'
import { ociTargets, parseLayoutIndex, readLayoutFolder } from './import-oci'
import { restoreOriginals } from './oci-compat'
import { placeImages, type ImportTarget } from './place'
import type { ProgressListener } from './progress'
import { readTar } from './read-tar'
import { ImportArea } from './import-area'

export interface ImportOptions {
  file: string
  repository?: string
}

/**
 * Imports an OCI image layout folder, an OCI archive (tar, optionally gzipped) or a `docker save`
 * tar. The archive is read once; every blob goes through the upload store (digest verified) into a
 * import area, and only once everything is there are the images linked, stored and tagged.
 * Throws INVALID_INPUT with one readable sentence for anything wrong with the input; then no tag
 * was written.
 */
export async function importArchive(storage: Storage, request: ImportOptions, onProgress?: ProgressListener): Promise<z.infer<typeof ImportResult>> {
  try {
    await storage.root.ensure()
    // Thousands of blob links reach the change feed as one change per repository.
    return await storage.changes.coalesce('import', () => importInto(storage, request, onProgress))
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw new BerthError('FOLDER_GONE', err.message, { dataDir: storage.layout.root, reason: err.problem.reason })
    if (!isDiskFull(err)) throw err
    // What the import had written is gone already (its area is removed whatever happens): say how much room there is now.
    const state = await storage.disk.state().catch(() => null)
    storage.disk.refused()
    throw new BerthError(
      'DISK_FULL',
      `The data folder's disk filled up during the import (${state ? `${megabytes(state.freeBytes)} free on ${state.volume} now that its partial data is removed` : 'no room left'}); free space there (Collect in the Storage view, or berth gc) or move the data folder to a bigger disk, then import again.`,
      state ? { freeBytes: state.freeBytes, volume: state.volume } : undefined
    )
  }
}

async function importInto(storage: Storage, request: ImportOptions, onProgress?: ProgressListener): Promise<z.infer<typeof ImportResult>> {
  const file = resolve(request.file)
  const problem = request.repository === undefined ? null : repositoryProblem(request.repository)
  if (problem) throw new BerthError('INVALID_INPUT', `"${request.repository}" is not a valid repository name: ${problem}`)
  const st = await statOrNull(file)
  if (!st) throw new BerthError('INVALID_INPUT', `There is no file or folder at ${file}; check the path.`)

  await ImportArea.sweepStale(storage)
  const area = new ImportArea(storage)
  try {
    let format: z.infer<typeof ImportResult>['format']
    let targets: ImportTarget[]
    if (st.isDirectory()) {
      format = 'oci-layout'
      targets = await restoreOriginals(storage, ociTargets(await readLayoutFolder(file, area, onProgress), request.repository))
    } else {
      const archive = await readTar(file, st.size, area, onProgress)
      const index = archive.meta.get('index.json')
      // Docker 25+ writes both; the OCI index keeps the registry manifests (and their digests) as they were.
      if (index) {
        format = 'oci-archive'
        targets = await restoreOriginals(storage, ociTargets(parseLayoutIndex(index, 'index.json'), request.repository))
      } else if (archive.meta.has('manifest.json')) {
        format = 'docker-archive'
        targets = await dockerTargets(storage, archive, request.repository)
      } else {
        throw new BerthError(
          'INVALID_INPUT',
          `${file} is a tar archive but neither an OCI image layout (index.json) nor a docker save archive (manifest.json); make it with berth export, docker save or skopeo copy.`
        )
      }
    }
    if (targets.length === 0) throw new BerthError('INVALID_INPUT', `${file} holds no images; there is nothing to import.`)
    const { used, ...placed } = await placeImages(storage, targets, onProgress)
    await area.discardUnused(used)
    return { format, ...placed }
  } catch (err) {
    // Nothing was tagged: what this import stored goes again, unless someone else uses it by now.
    await area.discardUnused(new Set()).catch(() => {})
    throw err
  } finally {
    await area.dispose()
  }
}
