import type { LayerPhase, LayerProgress } from '@shared/model/docker'

// Docker's JSON progress stream (push and pull) → per-layer phases and bytes. Pure; fixture-tested.

export interface ProgressLine {
  id?: string
  status?: string
  progressDetail?: { current?: number; total?: number }
  error?: string
  errorDetail?: { message?: string }
  aux?: { Tag?: string; Digest?: string; Size?: number }
}

export interface ProgressState {
  layers: Map<string, LayerProgress>
  digest: string | null
  /** The image's size as the registry stores it, once known (see transfer/stored-sizes.ts). */
  imageBytes: number | null
  error: string | null
}

export function emptyProgress(): ProgressState {
  return { layers: new Map(), digest: null, imageBytes: null, error: null }
}

const PHASES: [RegExp, LayerPhase][] = [
  [/^(Preparing|Waiting|Pulling fs layer|Retrying)/, 'waiting'],
  [/^Pushing/, 'uploading'],
  [/^Mounted from/, 'mounted'],
  [/^(Layer already exists|Already exists)/, 'exists'],
  [/^Downloading/, 'downloading'],
  [/^(Verifying Checksum|Download complete)/, 'verifying'],
  [/^Extracting/, 'extracting'],
  [/^(Pushed|Pull complete)/, 'done']
]

/** Phases after which a layer is finished (bytes all there). */
const FINISHED: LayerPhase[] = ['mounted', 'exists', 'done']

export function applyLine(state: ProgressState, line: ProgressLine): ProgressState {
  if (line.error || line.errorDetail?.message) {
    state.error = line.errorDetail?.message ?? line.error ?? 'unknown error'
    return state
  }
  if (line.aux?.Digest) state.digest = line.aux.Digest
  const status = line.status ?? ''
  const digestInStatus = /(?:digest|Digest): (sha256:[a-f0-9]{64})/.exec(status)
  if (digestInStatus) state.digest = digestInStatus[1]
  if (!line.id || !/^[a-f0-9]{12,64}$/.test(line.id)) return state
  const phase = PHASES.find(([re]) => re.test(status))?.[1]
  if (!phase) return state
  const prev = state.layers.get(line.id)
  const total = line.progressDetail?.total ?? prev?.total ?? null
  let current = line.progressDetail?.current ?? prev?.current ?? 0
  if (FINISHED.includes(phase) && total !== null) current = total
  // Extraction restarts the byte count; keep download totals meaningful by reporting extraction bytes as they come.
  state.layers.set(line.id, { id: line.id, phase, current, total: total && total > 0 ? total : null, size: prev?.size ?? null })
  return state
}

export function overall(state: ProgressState): { current: number; total: number; percent: number; layersDone: number; layers: number } {
  let current = 0
  let total = 0
  let layersDone = 0
  let sized = 0
  let unsized = 0
  let unsizedDone = 0
  for (const l of state.layers.values()) {
    const finished = FINISHED.includes(l.phase)
    if (finished) layersDone++
    if (l.total) {
      sized++
      total += l.total
      current += finished ? l.total : Math.min(l.current, l.total)
    } else {
      unsized++
      if (finished) unsizedDone++
    }
  }
  const layers = state.layers.size
  let percent: number
  if (layers === 0) percent = 0
  else if (layersDone === layers) percent = 100
  else if (total === 0) percent = Math.floor((100 * layersDone) / layers)
  else {
    // Layers whose size is not known yet (waiting) or never will be (mounted, already there) weigh as
    // much as the average sized one: the first layer's last byte is not the end of the push.
    const average = total / sized
    percent = Math.min(99, Math.floor((100 * (current + unsizedDone * average)) / (total + unsized * average)))
  }
  return { current, total, percent, layersDone, layers }
}

/** Turns Docker's terse failures into what to do. */
export function adviseDockerError(message: string, registryHost: string): string {
  if (/server gave HTTP response to HTTPS client/i.test(message))
    return `Docker tried HTTPS, but the registry at ${registryHost} speaks plain HTTP. Docker only allows plain HTTP for localhost/127.0.0.1 or for registries listed under "insecure-registries": use localhost:<port> in the image name, or add "insecure-registries": ["${registryHost}"] to /etc/docker/daemon.json (Docker Desktop: Settings → Docker Engine) and restart Docker. (${message})`
  if (/connection refused/i.test(message))
    return `Docker could not connect to the registry at ${registryHost}: is the registry running? Start it and try again. (${message})`
  // The registry's own answers first: "manifest for … not found: manifest unknown" also says "not found".
  if (/manifest unknown|name unknown/i.test(message)) return `The registry at ${registryHost} has no such repository, tag or digest (${message}).`
  if (/no such image|not found|does not exist/i.test(message)) return `Docker has no such image: ${message}. Check the name with docker images.`
  return message
}
