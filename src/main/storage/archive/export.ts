import { lstat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { z } from 'zod'
import { BerthError } from '@shared/errors'
import type { ExportResult } from '@shared/model/storage'
import type { Storage } from '../index'
import { statOrNull } from '../core/files'
import { writeDockerArchive } from './export-docker'
import { writeOciArchive } from './export-oci'
import type { ProgressListener } from './progress'
import { selectImages } from './resolve-images'

export interface ExportOptions {
  references: string[]
  file: string
  format?: 'oci' | 'docker'
  /** Replace an existing file; without it one is refused (CONFLICT) before anything is read. */
  overwrite?: boolean
}

/**
 * Writes the images named by `references` to one tar file: an OCI image layout (default; indexes with
 * all their platforms) or a `docker save` archive (one platform per image). Blobs stream from the
 * store; the file appears only when complete. Throws NOT_FOUND for a reference that is not stored,
 * INVALID_INPUT for a bad reference, a folder that does not exist, or an image the format cannot hold,
 * CONFLICT (detail `{ file, exists: true }`) when `file` exists and `overwrite` is not set.
 */
export async function exportImages(storage: Storage, request: ExportOptions, onProgress?: ProgressListener): Promise<z.infer<typeof ExportResult>> {
  const format = request.format ?? 'oci'
  const file = resolve(request.file)
  const folder = await statOrNull(resolve(file, '..'))
  if (!folder?.isDirectory()) throw new BerthError('INVALID_INPUT', `The folder of ${file} does not exist; create it or choose another file.`)
  if ((await statOrNull(file))?.isDirectory()) throw new BerthError('INVALID_INPUT', `${file} is a folder; give the name of the tar file to write.`)
  // lstat: a symbolic link (even a dangling one) is something the person has there too.
  if (!request.overwrite && (await lstat(file).catch(() => null)))
    throw new BerthError('CONFLICT', `${file} already exists; choose another file name, or replace it (berth export --force).`, { file, exists: true })

  onProgress?.({ phase: 'resolve', done: 0, total: request.references.length })
  const images = await selectImages(storage, request.references)
  if (format === 'docker') {
    const written = await writeDockerArchive(storage, images, file, onProgress)
    return {
      file,
      bytes: written.bytes,
      format,
      images: written.images.map((i) => ({ repository: i.repository, tag: i.tag, digest: i.manifest.digest }))
    }
  }
  const bytes = await writeOciArchive(storage, images, file, onProgress)
  return { file, bytes, format, images: images.map((i) => ({ repository: i.repository, tag: i.tag, digest: i.digest.value })) }
}
