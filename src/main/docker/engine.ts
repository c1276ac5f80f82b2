import Dockerode from 'dockerode'
import type { EngineStatus } from '@shared/model/docker'
import { BerthError } from '@shared/errors'
import { followImageEvents, type ImageEvent } from './image-events'
import { candidates, connectionOptions, isExplicit, systemDiscoveryEnv, type Candidate, type DiscoveryEnv } from './discovery'

const PING_TIMEOUT_MS = 3000

function problemOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { statusCode?: number }
  if (e?.code === 'ENOENT') return 'no such socket'
  if (e?.code === 'EACCES') return 'permission denied (add yourself to the docker group, or run Docker Desktop)'
  if (e?.code === 'ECONNREFUSED') return 'connection refused (the engine is not running)'
  if (e?.code === 'ETIMEDOUT' || /timeout/i.test(e?.message ?? '')) return 'no answer in time'
  return e?.message ?? String(err)
}

/**
 * The Docker engine connection: finds it (see discovery.ts), keeps the status, reconnects when it
 * comes back. `onChange` is called whenever reachability or the endpoint changes.
 */
export class DockerEngine {
  private docker: Dockerode | null = null
  private current: EngineStatus
  private timer: NodeJS.Timeout | undefined
  private checking: Promise<EngineStatus> | null = null
  /** The /events stream while it is followed (see image-events.ts). */
  private events: { client: Dockerode; stop: () => void } | null = null
  private watching = false

  constructor(
    private readonly discovery: DiscoveryEnv = systemDiscoveryEnv(),
    private readonly onChange: (status: EngineStatus) => void = () => {},
    /** An image was tagged, untagged, deleted, pulled, loaded or imported in the engine (while watched). */
    private readonly onImages?: (event: ImageEvent) => void
  ) {
    this.current = {
      reachable: false,
      endpoint: null,
      tried: [],
      engineVersion: null,
      apiVersion: null,
      os: null,
      flavour: null,
      problem: 'not checked yet',
      checkedAt: new Date().toISOString()
    }
  }

  get status(): EngineStatus {
    return this.current
  }

  /** Tries every candidate in order; the first that answers a ping is used (an explicit choice is the only candidate). */
  check(): Promise<EngineStatus> {
    if (!this.checking) {
      this.checking = this.probe().finally(() => {
        this.checking = null
      })
    }
    return this.checking
  }

  private async probe(): Promise<EngineStatus> {
    const tried: EngineStatus['tried'] = []
    const list = candidates(this.discovery)
    for (const c of list) {
      if (c.problem) {
        tried.push({ address: c.address, source: c.source, problem: c.problem })
        continue
      }
      const options = connectionOptions(c.address)
      if (!options) {
        tried.push({ address: c.address, source: c.source, problem: 'Berth cannot speak this kind of address (use unix://, tcp:// or npipe://)' })
        continue
      }
      const docker = new Dockerode({ ...options, timeout: PING_TIMEOUT_MS })
      try {
        await docker.ping()
        const version = await docker.version()
        tried.push({ address: c.address, source: c.source, problem: null })
        this.docker = new Dockerode(options)
        return this.update(this.reachableStatus(c, version, tried))
      } catch (err) {
        tried.push({ address: c.address, source: c.source, problem: problemOf(err) })
      }
    }
    this.docker = null
    return this.update({
      reachable: false,
      endpoint: null,
      tried,
      engineVersion: null,
      apiVersion: null,
      os: null,
      flavour: null,
      problem: list.length === 1 && isExplicit(list[0]) ? chosenEngineAdvice(list[0], tried[0].problem ?? '') : unreachableAdvice(tried, this.discovery.platform),
      checkedAt: new Date().toISOString()
    })
  }

  private reachableStatus(c: Candidate, version: Dockerode.DockerVersion, tried: EngineStatus['tried']): EngineStatus {
    const v = version as Dockerode.DockerVersion & { Platform?: { Name?: string }; Components?: { Name?: string }[] }
    const platform = v.Platform?.Name ?? ''
    const flavour = /desktop/i.test(platform) || c.source === 'docker-desktop'
      ? 'docker-desktop'
      : v.Components?.some((x) => /podman/i.test(x.Name ?? '')) || c.source === 'podman'
        ? 'podman'
        : 'engine'
    return {
      reachable: true,
      endpoint: { source: c.source, address: c.address, context: c.context },
      tried,
      engineVersion: v.Version ?? null,
      apiVersion: v.ApiVersion ?? null,
      os: v.Os ? `${v.Os}/${v.Arch}` : null,
      flavour,
      problem: null,
      checkedAt: new Date().toISOString()
    }
  }

  private update(next: EngineStatus): EngineStatus {
    const prev = this.current
    this.current = next
    if (prev.reachable !== next.reachable || prev.endpoint?.address !== next.endpoint?.address) this.onChange(next)
    return next
  }

  /** The connected client, or advice on why there is none. */
  async client(): Promise<Dockerode> {
    if (!this.docker) await this.check()
    if (!this.docker) throw new BerthError('DOCKER_UNREACHABLE', this.current.problem ?? 'The Docker engine is not reachable.', { tried: this.current.tried })
    return this.docker
  }

  /** A call failed in a way that says the engine went away: look again (and tell listeners). */
  async lost(): Promise<void> {
    await this.check()
  }

  /** Re-checks every `intervalMs` (more often while unreachable), so the UI sees the engine come and go. */
  watch(intervalMs = 5000): void {
    this.unwatch()
    this.watching = true
    const tick = async () => {
      try {
        if (this.docker) {
          await this.docker.ping()
        } else {
          await this.check()
        }
      } catch {
        await this.check()
      }
      this.followEvents()
      this.timer = setTimeout(tick, this.current.reachable ? intervalMs * 2 : intervalMs)
      this.timer.unref()
    }
    void tick()
  }

  unwatch(): void {
    this.watching = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.events?.stop()
    this.events = null
  }

  /** Follows the engine's image events while it is reachable; a stream that ended (engine gone) is followed again on its return. */
  private followEvents(): void {
    const docker = this.docker
    if (!this.onImages || !this.watching) return
    if (this.events && this.events.client !== docker) {
      this.events.stop()
      this.events = null
    }
    if (!docker || this.events) return
    const entry = { client: docker, stop: () => {} }
    this.events = entry
    followImageEvents(docker, (e) => this.onImages?.(e), () => {
      if (this.events === entry) this.events = null
      // The engine may have gone: look now rather than at the next tick.
      void this.check().then(() => this.followEvents())
    })
      .then((stop) => {
        if (this.events === entry) entry.stop = stop
        else stop()
      })
      .catch(() => {
        if (this.events === entry) this.events = null
      })
  }
}

function unreachableAdvice(tried: EngineStatus['tried'], platform: NodeJS.Platform): string {
  const where = tried.map((t) => `${t.address} (${t.problem})`).join('; ')
  const start =
    platform === 'linux'
      ? 'Start it with `sudo systemctl start docker` (or start Docker Desktop / `systemctl --user start podman.socket`)'
      : platform === 'darwin'
        ? 'Start Docker Desktop (or `podman machine start`)'
        : 'Start Docker Desktop'
  return `Cannot reach a Docker engine. Tried: ${where}. ${start}, or point DOCKER_HOST at it. The registry keeps working without it.`
}

/** The engine the person chose does not answer: say so, and how to choose another — never use another by ourselves. */
function chosenEngineAdvice(c: Candidate, problem: string): string {
  const keeps = 'Berth, like the docker CLI, uses only the engine you chose; the registry keeps working without it.'
  if (c.source === 'DOCKER_HOST')
    return `The Docker engine at DOCKER_HOST=${c.address} does not answer (${problem}). Start it there, or unset DOCKER_HOST to use the default engine. ${keeps}`
  if (c.problem) return `The Docker context "${c.context}" is not defined (${problem}). Create it, or choose another with \`docker context use default\` (or DOCKER_CONTEXT). ${keeps}`
  return `The Docker engine of context "${c.context}" at ${c.address} does not answer (${problem}). Start it, or choose another with \`docker context use default\` (or DOCKER_CONTEXT). ${keeps}`
}
