import type Dockerode from 'dockerode'
import type { Readable } from 'node:stream'
import { BerthError } from '@shared/errors'
import type { LayerCompression, ManifestFormat } from '@shared/layer-media'
import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import { ImportArea, type AreaBlob } from '../storage/archive/import-area'
import { diffIdIndexFor, type DiffIdIndex } from './diff-id-index'
import { imageManifest, savedImage, type LayerBlob } from './image-manifest'
import { imageError } from '../docker/images'
import { gzipLayer, type GzipOptions, type LayerEncoding } from './layer-encoder'
import { emptyProgress, type ProgressState } from '../docker/progress'
import { readSaveStream, type LayerEntry } from './save-reader'

// Push by export: the image is read from the engine's API (`docker save`, GET /images/{name}/get) and
// written straight into Berth's storage, so it works wherever the engine runs (in a VM whose localhost
// is not ours, on another host). Blobs go through the upload store like any client's (digest verified,
// blob guard touched) into a staging repository; layers Berth already stores are found by diff ID and
// mounted instead of sent. Only once everything is there are the blobs linked into the repository and
// the manifest and tag written: a cancelled or failed push leaves nothing in it.

export interface ExportPushRequest {
  /** A local image: name[:tag] or id. */
  image: string
  repository: string
  tag: string
  encoding: LayerEncoding
  format: ManifestFormat
  gzip?: GzipOptions
}

const key = (diffId: string) => diffId.slice(diffId.indexOf(':') + 1)

/** gzip's or zstd's magic bytes: a layer the engine already compressed (the containerd image store). */
function compressionOfHead(head: Buffer): LayerCompression | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd'
  return null
}

async function drain(content: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of content) void chunk
}

/** Calls `onEnd` as soon as the last byte has been read (the upload's commit and fsync may still run). */
async function* tap(content: AsyncIterable<Buffer>, onBytes: (n: number) => void, onEnd: () => void): AsyncGenerator<Buffer> {
  for await (const chunk of content) {
    onBytes(chunk.length)
    yield chunk
  }
  onEnd()
}

/**
 * Pushes `request.image` into `request.repository:tag` of `storage`. Resolves with the final progress
 * (its `digest` is the manifest's). Throws NOT_FOUND for an image the engine lacks, TRANSFER_FAILED
 * for an export that does not add up, and stops (throwing) when `signal` aborts.
 */
export async function exportPush(
  docker: Dockerode,
  storage: Storage,
  request: ExportPushRequest,
  signal: AbortSignal,
  onUpdate: (s: ProgressState) => void,
  index: DiffIdIndex = diffIdIndexFor(storage)
): Promise<ProgressState> {
  const image = docker.getImage(request.image)
  const inspect = await image.inspect().catch((err) => imageError(err, request.image))
  const diffIds = inspect.RootFS?.Layers ?? []
  const state = emptyProgress()
  for (const d of diffIds) state.layers.set(key(d), { id: key(d), phase: 'waiting', current: 0, total: null, size: null })
  onUpdate(state)

  const known = await index.lookup(diffIds, { repository: request.repository, format: request.format, prefer: request.encoding })
  for (const [d, l] of known) state.layers.set(key(d), { id: key(d), phase: l.linked ? 'exists' : 'mounted', current: l.size, total: l.size, size: l.size })
  onUpdate(state)

  const byPath = new Map<string, LayerBlob>()
  const byDiffId = new Map<string, LayerBlob>()
  const commits: Promise<void>[] = []
  await ImportArea.sweepStale(storage)
  const staging = new ImportArea(storage)
  // The engine answers only once it has prepared the export (Docker 20.10 copies the image first): a
  // cancel meanwhile ends the push at once and drops the stream when it comes.
  const requested = image.get() as unknown as Promise<Readable>
  const cancelled = new Promise<never>((_, reject) => {
    const stop = () => reject(new BerthError('CANCELLED', 'Cancelled.'))
    if (signal.aborted) stop()
    else signal.addEventListener('abort', stop, { once: true })
  })
  cancelled.catch(() => {})
  let stream: Readable
  try {
    stream = await Promise.race([requested, cancelled])
  } catch (err) {
    void requested.then((s) => s.destroy(), () => {})
    await staging.dispose()
    throw err
  }
  const abort = () => stream.destroy(new BerthError('CANCELLED', 'Cancelled.'))
  signal.addEventListener('abort', abort, { once: true })
  if (signal.aborted) abort()

  const stage = async (layer: LayerEntry): Promise<void> => {
    const progress = layer.diffId ? state.layers.get(key(layer.diffId)) : undefined
    if (progress) Object.assign(progress, { phase: 'uploading', current: 0, total: layer.size })
    let read!: () => void
    const consumed = new Promise<void>((r) => (read = r))
    const content = tap(layer.content, (n) => {
      if (!progress) return
      progress.current += n
      onUpdate(state)
    }, read)
    const compressed = compressionOfHead(layer.head)
    const named = layer.namedDigest ? parseDigest(layer.namedDigest) : null
    if (compressed && typeof named === 'object' && named !== null) {
      const size = await storage.blobs.claim(named)
      if (size !== null) {
        // The engine's own compressed blob, which Berth already holds: linked at the end, not sent.
        await drain(content)
        byPath.set(layer.path, { digest: named.value, size, compression: compressed })
        return
      }
    }
    let stored: Promise<{ blob: AreaBlob; diffId: string | null; compression: LayerCompression }>
    if (compressed && typeof named === 'object' && named !== null) {
      // Already compressed by the engine, named by its digest: stored as it is (docker push's own bytes).
      stored = staging.add(content, layer.path, named).then((blob) => ({ blob, diffId: null, compression: compressed }))
    } else if (request.encoding === 'uncompressed' || compressed) {
      const expected = layer.diffId ? (parseDigest(layer.diffId) as Digest) : undefined
      stored = staging.add(content, layer.path, compressed ? undefined : expected).then((blob) => ({ blob, diffId: compressed ? layer.diffId : blob.digest.value, compression: compressed ?? 'uncompressed' }))
    } else {
      const encoded = gzipLayer(content, request.gzip)
      stored = staging.add(encoded.output, layer.path).then(async (blob) => ({ blob, diffId: (await encoded.result).diffId, compression: 'gzip' as const }))
    }
    const commit = stored.then(({ blob, diffId, compression }) => {
      if (layer.diffId && diffId && diffId !== layer.diffId)
        throw new BerthError('TRANSFER_FAILED', `The engine sent a layer whose content is ${diffId}, not ${layer.diffId} as its name says; push again.`)
      const result = { digest: blob.digest.value, size: blob.size, compression }
      byPath.set(layer.path, result)
      const done = diffId ? state.layers.get(key(diffId)) : undefined
      if (diffId) byDiffId.set(diffId, result)
      if (done) Object.assign(done, { phase: 'done', current: layer.size, total: layer.size })
      onUpdate(state)
    })
    commits.push(commit)
    commit.catch(() => {}) // awaited below, after the stream
    // The next entry streams while this one's commit (hash check, fsync, rename) finishes.
    await Promise.race([consumed, commit])
  }

  try {
    const contents = await readSaveStream(stream, diffIds, async (layer) => {
      if (layer.diffId && (known.has(layer.diffId) || byDiffId.has(layer.diffId))) return drain(layer.content)
      return stage(layer)
    })
    await Promise.all(commits)
    const saved = savedImage(contents, inspect.Id, diffIds)
    const layers = saved.layers.map((path, i): LayerBlob => {
      const reused = known.get(diffIds[i])
      const blob = reused ? { digest: reused.digest.value, size: reused.size, compression: reused.compression } : (byPath.get(path) ?? byDiffId.get(diffIds[i]))
      if (!blob) throw new BerthError('TRANSFER_FAILED', `The engine's export lacks layer ${i + 1} (${diffIds[i]}); push again.`)
      const progress = state.layers.get(key(diffIds[i]))
      if (progress && progress.phase !== 'mounted' && progress.phase !== 'exists') Object.assign(progress, { phase: 'done', current: progress.total ?? blob.size, total: progress.total ?? blob.size })
      return blob
    })
    const config = await staging.add(
      (async function* () {
        yield saved.config
      })(),
      'config',
      parseDigest(inspect.Id) as Digest
    )
    if (signal.aborted) throw new BerthError('CANCELLED', 'Cancelled.')

    // From here on the push completes: link every blob into the repository, then the manifest and tag.
    for (const d of [config.digest.value, ...layers.map((l) => l.digest)]) {
      const digest = parseDigest(d) as Digest
      if ((await storage.blobs.claim(digest)) === null)
        throw new BerthError('TRANSFER_FAILED', `The blob ${d} went away during the push (a garbage collection?); push again.`)
      await storage.repos.linkLayer(request.repository, digest)
    }
    const manifest = imageManifest(request.format, { digest: config.digest.value, size: config.size }, layers)
    const { digest } = await storage.manifests.put(request.repository, { tag: request.tag }, manifest.bytes, manifest.mediaType)
    state.digest = digest.value
    onUpdate(state)
    return state
  } catch (err) {
    if (err instanceof BerthError && err.code === 'INVALID_INPUT')
      throw new BerthError('TRANSFER_FAILED', `The engine's export did not match what it said it holds (${err.message}); push again.`)
    throw err
  } finally {
    signal.removeEventListener('abort', abort)
    stream.destroy()
    await Promise.allSettled(commits)
    await staging.dispose()
  }
}
