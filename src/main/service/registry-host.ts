import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { BerthError } from '@shared/errors'
import type { RegistryStatus } from '@shared/model/registry'
import { createRegistryServer, type RegistryServer } from '../registry/server'
import type { RegistryChange } from '../registry/context'
import type { PullThrough } from '../registry/pull-through'
import { openStorage, type Storage } from '../storage'
import type { SettingsStore } from './settings-store'
import type { EventBus } from './events'
import { portInUseAdvice } from './port-advice'
import { clearServing, markServing } from '../storage/serving-lock'

/** The address to put in image references: loopback binds are `localhost` (what Docker trusts over HTTP). */
export function pullHost(host: string, port: number): string {
  const loopbackOrAny = host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '0.0.0.0' || host === '::'
  const name = loopbackOrAny ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `${name}:${port}`
}

async function ensureWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true })
    const probe = join(dir, `.berth-write-test-${process.pid}`)
    await writeFile(probe, '')
    await rm(probe)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new BerthError(
      'FOLDER_NOT_WRITABLE',
      `Berth cannot write to the data folder ${dir} (${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code ?? e.message}). Choose another folder in Settings, or fix its permissions.`,
      { dataDir: dir, code: e.code }
    )
  }
}

/**
 * The registry's lifecycle inside the app: start, stop, restart with the saved settings, the status
 * and activity events. The storage stays open while the registry is stopped, so the catalog can
 * still be browsed.
 */
export class RegistryHost {
  private server: RegistryServer | null = null
  private storageDir: string | null = null
  private storageValue: Storage | null = null
  private state: RegistryStatus['state'] = 'stopped'
  private error: BerthError | null = null
  private startedAt: Date | null = null
  private port = 0
  private activityTimer: NodeJS.Timeout | undefined
  private lastActivity = ''
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly settings: SettingsStore,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly onChange: (change: RegistryChange) => void,
    private readonly serverOptions: { uploadMaxAgeMs?: number } = {},
    /** The pull-through source for a registry serving `storage` (the service decides; the registry never imports the client). */
    private readonly pullThroughFor?: (storage: Storage) => PullThrough | undefined
  ) {}

  /** The storage of the configured data folder (opened on first use, reopened when the folder changes). */
  async storage(): Promise<Storage> {
    const dir = this.settings.get().dataDir
    if (!this.storageValue || this.storageDir !== dir) {
      await ensureWritable(dir)
      this.storageValue = await openStorage(dir)
      this.storageDir = dir
    }
    return this.storageValue
  }

  status(): RegistryStatus {
    const s = this.settings.get()
    const port = this.state === 'running' ? this.port : s.port
    return {
      state: this.state,
      host: s.host,
      port,
      url: this.state === 'running' ? `http://${s.host.includes(':') ? `[${s.host}]` : s.host}:${port}` : null,
      pullHost: pullHost(s.host, port),
      dataDir: s.dataDir,
      startedAt: this.startedAt?.toISOString() ?? null,
      uptimeMs: this.startedAt ? Date.now() - this.startedAt.getTime() : null,
      error: this.error?.toData() ?? null
    }
  }

  private set(state: RegistryStatus['state'], error: BerthError | null = null): RegistryStatus {
    this.state = state
    this.error = error
    const status = this.status()
    this.bus.emit('registry.status', status)
    return status
  }

  /** Lifecycle operations never overlap: a stop during a start waits for it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => {})
    return run
  }

  start(): Promise<RegistryStatus> {
    return this.serial(async () => {
      if (this.state === 'running') return this.status()
      this.set('starting')
      const s = this.settings.get()
      try {
        const storage = await this.storage()
        const server = createRegistryServer({ ...this.serverOptions, storage, log: this.log, onChange: this.onChange, pullThrough: this.pullThroughFor?.(storage) })
        try {
          const address = await server.listen(s.port, s.host)
          this.port = address.port
        } catch (err) {
          throw await this.listenError(err as NodeJS.ErrnoException, s.host, s.port)
        }
        this.server = server
        await markServing(storage.layout, { host: s.host, port: this.port, ...(s.mirrors?.length ? { mirrors: s.mirrors } : {}) }).catch((err) => this.log.warn({ err }, 'could not write serving.json'))
        this.startedAt = new Date()
        this.watchActivity()
        this.log.info({ host: s.host, port: this.port, dataDir: s.dataDir }, 'registry started')
        return this.set('running')
      } catch (err) {
        const error = err instanceof BerthError ? err : new BerthError('INTERNAL', `The registry could not start: ${(err as Error).message}`)
        this.set('error', error)
        throw error
      }
    })
  }

  private async listenError(err: NodeJS.ErrnoException, host: string, port: number): Promise<BerthError> {
    if (err.code === 'EADDRINUSE') {
      const advice = await portInUseAdvice(port, host)
      return new BerthError('PORT_IN_USE', advice.message, { port, host, holder: advice.holder, suggestion: advice.suggestion })
    }
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
      return new BerthError('ADDRESS_UNAVAILABLE', `The address ${host} does not belong to this machine. Use 127.0.0.1 (this machine only) or 0.0.0.0 (share on the network).`, { host })
    if (err.code === 'EACCES')
      return new BerthError('PORT_IN_USE', `Port ${port} needs administrator rights (ports below 1024). Choose a port above 1024, e.g. 5000.`, { port })
    return new BerthError('INTERNAL', `The registry could not listen on ${host}:${port}: ${err.message}`)
  }

  stop(): Promise<RegistryStatus> {
    return this.serial(async () => {
      if (!this.server) return this.set('stopped')
      this.set('stopping')
      clearInterval(this.activityTimer)
      await this.server.close(3000)
      this.server = null
      if (this.storageValue) await clearServing(this.storageValue.layout).catch(() => {})
      this.startedAt = null
      this.log.info('registry stopped')
      return this.set('stopped')
    })
  }

  async restart(): Promise<RegistryStatus> {
    await this.stop()
    return this.start()
  }

  get running(): boolean {
    return this.state === 'running'
  }

  private watchActivity(): void {
    clearInterval(this.activityTimer)
    this.activityTimer = setInterval(() => {
      if (!this.server) return
      const { requests, bytesIn, bytesOut } = this.server.activity
      const key = `${requests}/${bytesIn}/${bytesOut}`
      if (key === this.lastActivity) return
      this.lastActivity = key
      this.bus.emit('registry.activity', { requests, bytesIn, bytesOut, at: new Date().toISOString() })
    }, 1000)
    this.activityTimer.unref()
  }
}
