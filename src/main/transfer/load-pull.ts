import type Dockerode from 'dockerode'
import type { Readable } from 'node:stream'
import { BerthError } from '@shared/errors'
import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import { fillDockerArchive, planDockerArchive, type Platform } from '../storage/archive/export-docker'
import { selectImages } from '../storage/archive/resolve-images'
import { tarStream } from '../storage/archive/tar-writer'
import { parseJson } from '../storage/core/manifest-json'
import { emptyProgress, type ProgressState } from '../docker/progress'

// Pull by load: "Pull to Docker" without the engine reaching the registry. Berth writes a `docker save`
// archive of the image straight from its storage into `POST /images/load` (dockerode `loadImage`),
// named `<registry address>/<repo>:<tag>` as `docker pull` would name it. Layers go as stored (the
// engine decompresses gzip itself); nothing touches the disk on Berth's side.

export interface LoadPullRequest {
  repository: string
  /** A tag or a digest. */
  reference: string
  /** The name the engine gives the image (`localhost:5000/team/app:1.2`); null for a pull by digest (it stays unnamed). */
  name: string | null
  /** The engine's platform, for a multi-platform index. */
  platform: Platform
}

interface LoadLine {
  status?: string
  id?: string
  progressDetail?: { current?: number; total?: number }
  stream?: string
  error?: string
  errorDetail?: { message?: string }
}

/** The engine's platform as an index names it: `version()` gives Go's os/arch (`linux`, `amd64`, `arm64`, `arm`). */
export async function enginePlatform(docker: Dockerode): Promise<Platform> {
  const v = (await docker.version()) as { Os?: string; Arch?: string }
  const architecture = v.Arch ?? 'amd64'
  return { os: v.Os ?? 'linux', architecture, ...(architecture === 'arm64' ? { variant: 'v8' } : architecture === 'arm' ? { variant: 'v7' } : {}) }
}

/**
 * Loads `repository:reference` from `storage` into the engine. Resolves with the progress (its digest:
 * the manifest loaded). Throws NOT_FOUND / INVALID_INPUT for what cannot be loaded (an artifact, zstd
 * layers, no such platform), TRANSFER_FAILED when the engine refuses it; stops when `signal` aborts.
 */
export async function loadPull(docker: Dockerode, storage: Storage, request: LoadPullRequest, signal: AbortSignal, onUpdate: (s: ProgressState) => void): Promise<ProgressState> {
  const digestRef = request.reference.includes(':')
  const images = await selectImages(storage, [`${request.repository}${digestRef ? '@' : ':'}${request.reference}`])
  const plan = await planDockerArchive(storage, images, { platform: request.platform, repoTag: () => request.name })
  const manifest = plan.images[0].manifest
  const configBytes = await storage.blobs.readBytes(parseDigest(manifest.config!.digest) as Digest)
  const diffIds = ((parseJson(configBytes ?? Buffer.from('{}')).rootfs as { diff_ids?: string[] } | undefined)?.diff_ids ?? []) as string[]

  const state = emptyProgress()
  state.digest = manifest.digest
  const byBlob = new Map<string, string>()
  const byShortDiffId = new Map<string, string>()
  manifest.layers.forEach((l, i) => {
    const id = l.digest.slice(l.digest.indexOf(':') + 1)
    byBlob.set(l.digest, id)
    if (diffIds[i]) byShortDiffId.set(diffIds[i].slice(7, 19), id)
    state.layers.set(id, { id, phase: 'waiting', current: 0, total: l.size, size: l.size })
  })
  onUpdate(state)

  const extracted = new Set<string>()
  const { stream, done } = tarStream((tar) =>
    fillDockerArchive(tar, storage, plan, (digest, n) => {
      const layer = state.layers.get(byBlob.get(digest) ?? '')
      if (!layer) return
      layer.phase = 'downloading'
      layer.current += n
      onUpdate(state)
    })
  )
  const abort = () => stream.destroy(new BerthError('CANCELLED', 'Cancelled.'))
  signal.addEventListener('abort', abort, { once: true })
  try {
    const response = (await docker.loadImage(stream as unknown as NodeJS.ReadableStream, { quiet: false })) as unknown as Readable
    signal.addEventListener('abort', () => response.destroy(), { once: true })
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        response,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (line: LoadLine) => {
          if (line.error || line.errorDetail?.message) state.error = line.errorDetail?.message ?? line.error ?? 'docker load failed'
          const id = line.id ? byShortDiffId.get(line.id) : undefined
          const layer = id ? state.layers.get(id) : undefined
          if (layer && /^Loading layer/.test(line.status ?? '')) {
            extracted.add(layer.id)
            // Extraction counts the uncompressed bytes: a bar of its own, as docker pull shows it.
            Object.assign(layer, { phase: 'extracting', current: line.progressDetail?.current ?? 0, total: line.progressDetail?.total ?? layer.total })
            onUpdate(state)
          }
        }
      )
    })
    await done
    if (state.error) return state
    // A layer the engine never loaded was already there (another image has it).
    for (const layer of state.layers.values()) Object.assign(layer, { phase: extracted.has(layer.id) ? 'done' : 'exists', current: layer.total ?? layer.current })
    if (request.name) {
      const loaded = await docker.getImage(request.name).inspect()
      if (loaded.Id !== manifest.config!.digest)
        throw new BerthError('TRANSFER_FAILED', `Docker loaded ${request.name} as ${loaded.Id}, not the stored image ${manifest.config!.digest}; pull it again.`)
    }
    onUpdate(state)
    return state
  } finally {
    signal.removeEventListener('abort', abort)
    stream.destroy()
  }
}
