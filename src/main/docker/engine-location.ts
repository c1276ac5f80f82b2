import { randomBytes } from 'node:crypto'
import type Dockerode from 'dockerode'
import type { Readable } from 'node:stream'
import { ENGINE_KIND_NAMES, type EngineKind } from '@shared/model/sharing'

// Where the Docker engine runs relative to Berth, and whether it can reach Berth's registry address.
// On most laptops the engine lives in a VM (Docker Desktop, Colima, OrbStack, Rancher Desktop, a Podman
// machine): its `localhost` is the VM, so `docker push localhost:<port>/…` never reaches a registry
// running on the laptop. Hints from `info`/`version` and DOCKER_HOST say what the engine is; a probe —
// asking the engine itself to pull something from the registry address — says what it can reach.
// The one detector: the window's transfer route (transfer/transfer-route.ts) and `berth doctor`
// (doctor/doctor.ts, through `engineKind`) both read it.

export type EngineProduct =
  | 'docker-desktop'
  | 'orbstack'
  | 'colima'
  | 'rancher-desktop'
  | 'lima'
  | 'podman-machine'
  | 'wsl'
  | 'podman'
  | 'docker-engine'

/** `local`: the engine shares this machine's network (its localhost is ours); `vm`: a VM on this machine; `remote`: another host. */
export type EngineWhere = 'local' | 'vm' | 'remote'

export interface ProbeResult {
  /** The registry address the engine was asked to reach (`localhost:5000`). */
  address: string
  /**
   * `answered`: the registry answered (here: "manifest unknown"), so the engine reaches it;
   * `refused` / `no-such-host` / `timeout` / `unreachable`: it does not; `insecure`: it reached the host but will
   * not speak plain HTTP (or does not trust the certificate); `other`: an answer that is none of these.
   */
  outcome: 'answered' | 'refused' | 'no-such-host' | 'timeout' | 'unreachable' | 'insecure' | 'other'
  /** Whether a push or pull through the engine can work. */
  reached: boolean
  /** The engine's own sentence. */
  message: string
}

export interface EngineLocation {
  where: EngineWhere
  product: EngineProduct
  /** Why we think so, one short phrase per hint (for `berth doctor` and the logs). */
  hints: string[]
  /** What the probe found; null when no registry address was given. */
  probe: ProbeResult | null
  /** Whether the engine can reach the registry address: the probe's answer, else a guess from `where`. */
  reachesRegistry: boolean
}

/** What `info`, `version` and the endpoint say; the part of the answers classification reads. */
export interface EngineFacts {
  /** The endpoint Berth talks to: `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2375`, `ssh://me@host`. */
  endpoint: string
  /** The platform Berth runs on (process.platform). */
  hostPlatform: NodeJS.Platform
  info: { OperatingSystem?: string; Name?: string; KernelVersion?: string; OSType?: string; Labels?: string[] | null }
  /** `version`'s answer; the doctor reads `info` only. */
  version?: { Os?: string; Platform?: { Name?: string }; Components?: { Name?: string }[] | null }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i

/** The host of a `tcp://`, `http(s)://` or `ssh://` endpoint; null for sockets and pipes. */
function networkHost(endpoint: string): string | null {
  const m = /^(?:tcp|http|https|ssh):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(endpoint)
  return m ? m[1].replace(/^\[|\]$/g, '') : null
}

/** Which product the engine is and where it runs, from facts alone (pure; fixture-tested). */
export function classifyEngine(facts: EngineFacts): Pick<EngineLocation, 'where' | 'product' | 'hints'> {
  const { info, endpoint, hostPlatform } = facts
  const version = facts.version ?? {}
  const os = info.OperatingSystem ?? ''
  const name = info.Name ?? ''
  const kernel = info.KernelVersion ?? ''
  const labels = info.Labels ?? []
  const platformName = version.Platform?.Name ?? ''
  const podman = (version.Components ?? []).some((c) => /podman/i.test(c.Name ?? ''))
  const hints: string[] = []
  let product: EngineProduct = podman ? 'podman' : 'docker-engine'

  if (/docker desktop/i.test(os) || /docker desktop/i.test(platformName) || labels.some((l) => l.startsWith('com.docker.desktop.')) || /linuxkit/i.test(kernel)) {
    product = 'docker-desktop'
    hints.push(/docker desktop/i.test(os) ? `the engine's operating system is "${os}"` : /linuxkit/i.test(kernel) ? `its kernel is LinuxKit (${kernel})` : 'it says it is Docker Desktop')
  } else if (/orbstack/i.test(os) || /orbstack/i.test(kernel) || name === 'orbstack' || /\.orbstack\//.test(endpoint)) {
    product = 'orbstack'
    hints.push(/orbstack/i.test(kernel) ? `its kernel is OrbStack's (${kernel})` : 'it says it is OrbStack')
  } else if (/rancher.desktop/i.test(name) || /rancher desktop/i.test(os) || /\.rd\/docker\.sock/.test(endpoint)) {
    product = 'rancher-desktop'
    hints.push(`it is Rancher Desktop's engine (${name || endpoint})`)
  } else if (/^colima(-|$)/.test(name) || /\.colima\//.test(endpoint)) {
    product = 'colima'
    hints.push(`it is Colima's VM (${name || endpoint})`)
  } else if (/^lima-/.test(name) || /\.lima\//.test(endpoint)) {
    product = 'lima'
    hints.push(`it is a Lima VM (${name || endpoint})`)
  } else if ((podman || /podman/i.test(endpoint)) && (hostPlatform !== 'linux' || /podman-machine|\/machine\//.test(endpoint))) {
    product = 'podman-machine'
    hints.push(`it is Podman in a Podman machine (${endpoint})`)
  } else if (hostPlatform !== 'linux' && (/fedora|coreos/i.test(os) || /\.fc\d+\./.test(kernel))) {
    // A Podman machine answers with Fedora CoreOS, whatever socket it is reached by.
    product = 'podman-machine'
    hints.push(`a Linux engine on ${hostPlatform} answering as ${os || kernel} is a Podman machine`)
  } else if (/microsoft.*wsl/i.test(kernel) && hostPlatform === 'win32') {
    product = 'wsl'
    hints.push(`it runs in WSL (${kernel})`)
  }

  const host = networkHost(endpoint)
  let where: EngineWhere
  if (host !== null && !LOOPBACK.test(host)) {
    where = 'remote'
    hints.push(`DOCKER_HOST points at another machine (${endpoint})`)
  } else if (product !== 'docker-engine' && product !== 'podman') {
    where = 'vm'
  } else if (hostPlatform !== 'linux' && (info.OSType ?? version.Os ?? 'linux') === 'linux') {
    // Linux containers on macOS or Windows always run in some VM, whatever it is called.
    where = 'vm'
    hints.push(`Linux containers on ${hostPlatform} run in a VM`)
  } else {
    where = 'local'
    if (host !== null) hints.push(`the engine listens on this machine (${endpoint})`)
  }
  return { where, product, hints }
}

/** The engine's sentence about a pull from the probe address → what it says about reachability (pure). */
export function classifyProbeAnswer(message: string): Pick<ProbeResult, 'outcome' | 'reached'> {
  // The registry itself answered: the tag or repository is not there, or it wants credentials.
  if (/manifest unknown|name unknown|manifest for \S+ not found|does not exist|unauthorized|authentication required|no basic auth credentials|denied/i.test(message))
    return { outcome: 'answered', reached: true }
  if (/server gave HTTP response to HTTPS client|x509|certificate|tls:/i.test(message)) return { outcome: 'insecure', reached: false }
  if (/connection refused/i.test(message)) return { outcome: 'refused', reached: false }
  if (/no such host|server misbehaving|name resolution|lookup .* on /i.test(message)) return { outcome: 'no-such-host', reached: false }
  if (/timeout|timed out|deadline exceeded/i.test(message)) return { outcome: 'timeout', reached: false }
  if (/no route to host|network is unreachable|host is down|connection reset/i.test(message)) return { outcome: 'unreachable', reached: false }
  return { outcome: 'other', reached: false }
}

/**
 * Asks the engine to pull a reference that cannot exist from `address`: a registry that answers says
 * "manifest unknown" (reached), an address the engine cannot reach says "connection refused", "no such
 * host" or times out. Never throws; never leaves an image behind.
 */
export async function probeRegistry(docker: Dockerode, address: string, timeoutMs = 8000): Promise<ProbeResult> {
  const reference = `${address}/berth-probe/reachability:absent-${randomBytes(6).toString('hex')}`
  const signal = AbortSignal.timeout(timeoutMs)
  let message: string
  try {
    const stream = (await docker.pull(reference, { abortSignal: signal, authconfig: {} })) as unknown as Readable
    message = await new Promise<string>((resolve) => {
      let error = ''
      signal.addEventListener('abort', () => stream.destroy(), { once: true })
      docker.modem.followProgress(
        stream,
        (err: Error | null) => resolve(err ? (signal.aborted ? 'timed out' : err.message) : error || 'the pull of an absent reference succeeded'),
        (line: { error?: string; errorDetail?: { message?: string } }) => {
          if (line.error || line.errorDetail?.message) error = line.errorDetail?.message ?? line.error ?? ''
        }
      )
    })
  } catch (err) {
    const e = err as Error & { json?: { message?: string } }
    // dockerode prefixes "(HTTP code 500) server error - " to the engine's own sentence.
    message = signal.aborted ? `no answer within ${timeoutMs} ms (timed out)` : (e.json?.message ?? e.message.replace(/^\(HTTP code \d+\)[^-]*- /, '')).trim()
  }
  return { address, message, ...classifyProbeAnswer(message) }
}

/**
 * Where the engine runs and — when `registry` (a `host:port` as image references name it) is given —
 * whether it can reach it. `endpoint` is the address Berth connects to (DOCKER_HOST, a context, a socket).
 * Throws only when the engine does not answer `info`/`version`.
 */
export async function locateEngine(
  docker: Dockerode,
  options: { endpoint: string; registry?: string; hostPlatform?: NodeJS.Platform; probeTimeoutMs?: number }
): Promise<EngineLocation> {
  const [info, version] = await Promise.all([docker.info() as Promise<EngineFacts['info']>, docker.version() as Promise<EngineFacts['version']>])
  const located = classifyEngine({ endpoint: options.endpoint, hostPlatform: options.hostPlatform ?? process.platform, info, version })
  const probe = options.registry ? await probeRegistry(docker, options.registry, options.probeTimeoutMs) : null
  const loopbackRegistry = options.registry ? LOOPBACK.test(options.registry.replace(/:\d+$/, '')) : true
  return {
    ...located,
    probe,
    // Without a probe: a VM or another host cannot see this machine's loopback; other addresses may work.
    reachesRegistry: probe ? probe.reached : located.where === 'local' || !loopbackRegistry
  }
}

/**
 * The engine's kind as `berth doctor` reports it (the contract's EngineKind): which VM product, or
 * native / remote, and whether `localhost` in a terminal's `docker push` is this machine.
 */
export function engineKind(facts: EngineFacts): EngineKind {
  const { where, product, hints } = classifyEngine(facts)
  if (where === 'local') return { kind: 'native', evidence: hints.length ? hints : [`OperatingSystem: ${facts.info.OperatingSystem || 'unknown'}`], sharesLocalhost: true }
  if (where === 'remote') return { kind: 'remote', evidence: hints, sharesLocalhost: false }
  const named: EngineKind['kind'][] = ['docker-desktop', 'orbstack', 'colima', 'rancher-desktop', 'lima', 'podman-machine']
  const kind = (named as string[]).includes(product) ? (product as EngineKind['kind']) : 'vm'
  return { kind, evidence: hints, sharesLocalhost: false }
}

/** The name a container (and the engine) in that VM reaches this machine's loopback by. */
export function hostAlias(kind: EngineKind['kind']): string | null {
  switch (kind) {
    case 'docker-desktop':
    case 'orbstack':
    case 'rancher-desktop':
      return 'host.docker.internal'
    case 'colima':
    case 'lima':
      return 'host.lima.internal'
    case 'podman-machine':
      return 'host.containers.internal'
    default:
      return null
  }
}

/** What each kind is called in a sentence (shared with the window's doctor banner). */
export const KIND_NAMES = ENGINE_KIND_NAMES
