import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { BerthError } from '@shared/errors'
import type { DiskStatus, RegistryStatus } from '@shared/model/registry'
import { createRegistryServer, type RegistryServer } from '../registry/server'
import type { PullThrough } from '../registry/pull-through'
import { openStorage, type Storage } from '../storage'
import { clearServing, markServing } from '../storage/manage'
import type { SettingsStore } from './settings-store'
import type { EventBus } from './events'
import { portInUseAdvice } from './port-advice'
import type { RequestRecord } from '../registry/observe'
import { prepareSharing, type SharingSetup } from '../sharing/setup'
import { defaultTlsDir } from '../config/data-dir'
import { makeDir } from '../storage/core/files'

export interface RegistryHostOptions {
  uploadMaxAgeMs?: number
  /** Where Berth's CA and server certificate live (default: the per-user config folder). */
  tlsDir?: string
  /** Every finished registry request (access log, metrics). */
  observe?: (record: RequestRecord) => void
  onLoginFailure?: (reason: 'bad-credentials' | 'throttled') => void
}

/** How often a shared registry checks that its certificate still names its addresses and is not near expiry. */
const RENEW_CHECK_MS = 60_000
/** How often the data folder's disk is looked at while serving (statfs: cheap). */
const DISK_CHECK_MS = 2000

/** The address to put in image references: loopback binds are `localhost` (what Docker trusts over HTTP). */
export function pullHost(host: string, port: number): string {
  const loopbackOrAny = host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '0.0.0.0' || host === '::'
  const name = loopbackOrAny ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `${name}:${port}`
}

/** Creates `dir` if needed and proves it can be written, or says why not (FOLDER_NOT_WRITABLE). */
export async function ensureWritable(dir: string): Promise<void> {
  try {
    await makeDir(dir)
    // Unique per call: two first uses at once (a request and the upload sweep) must not share one probe.
    const probe = join(dir, `.berth-write-test-${process.pid}-${randomBytes(4).toString('hex')}`)
    await writeFile(probe, '')
    await rm(probe)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new BerthError(
      'FOLDER_NOT_WRITABLE',
      `Berth cannot write to the data folder ${dir} (${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOENT' ? 'no folder can be made there' : e.code ?? e.message}). Choose another folder in Settings, or fix its permissions.`,
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
  private opening: Promise<Storage> | null = null
  private sharingSetup: SharingSetup | null = null
  private renewTimer: NodeJS.Timeout | undefined
  private disk: DiskStatus | null = null
  private diskTimer: NodeJS.Timeout | undefined
  private unwatchFolder = () => {}

  constructor(
    private readonly settings: SettingsStore,
    private readonly bus: EventBus,
    private readonly log: Logger,
    /** Called with each data folder's storage when it is opened (the service follows its change feed). */
    private readonly onOpen: (storage: Storage) => void,
    private readonly serverOptions: RegistryHostOptions = {},
    /** The pull-through source for a registry serving `storage` (the service decides; the registry never imports the client). */
    private readonly pullThroughFor?: (storage: Storage) => PullThrough | undefined
  ) {}

  get tlsDir(): string {
    return this.serverOptions.tlsDir ?? defaultTlsDir()
  }

  /** The accounts of the data folder in use while shared (null on loopback or while stopped). */
  get sharing(): SharingSetup | null {
    return this.sharingSetup
  }

  /** The storage of the configured data folder (opened on first use, reopened when the folder changes). */
  async storage(): Promise<Storage> {
    const dir = this.settings.get().dataDir
    if (this.storageValue && this.storageDir === dir) return this.storageValue
    // Concurrent callers share one opening: one folder, one Storage, one change feed.
    if (!this.opening) {
      this.opening = (async () => {
        await ensureWritable(dir)
        const storage = await openStorage(dir)
        this.storageValue = storage
        this.storageDir = dir
        this.onOpen(storage)
        return storage
      })().finally(() => {
        this.opening = null
      })
    }
    const storage = await this.opening
    return storage.layout.root === this.settings.get().dataDir ? storage : this.storage()
  }

  status(): RegistryStatus {
    const s = this.settings.get()
    const port = this.state === 'running' ? this.port : s.port
    const sharing = this.sharingSetup?.status()
    const scheme = sharing?.scheme ?? 'http'
    return {
      state: this.state,
      host: s.host,
      port,
      url: this.state === 'running' ? `${scheme}://${s.host.includes(':') ? `[${s.host}]` : s.host}:${port}` : null,
      pullHost: pullHost(s.host, port),
      dataDir: s.dataDir,
      startedAt: this.startedAt?.toISOString() ?? null,
      uptimeMs: this.startedAt ? Date.now() - this.startedAt.getTime() : null,
      error: this.error?.toData() ?? null,
      ...(sharing ? { sharing } : {}),
      ...(this.server && this.disk ? { disk: this.disk } : {}),
      ...(this.server && this.state === 'running' ? { activity: { ...this.server.activity, at: new Date().toISOString() } } : {})
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
      // Serving already (an 'error' while serving is a data folder gone, which comes back by itself).
      if (this.server) return this.status()
      this.set('starting')
      const s = this.settings.get()
      try {
        const storage = await this.storage()
        const sharing = await prepareSharing(s, { dataDir: s.dataDir, tlsDir: this.tlsDir, log: this.log, onLoginFailure: this.serverOptions.onLoginFailure })
        const server = createRegistryServer({
          uploadMaxAgeMs: this.serverOptions.uploadMaxAgeMs,
          storage,
          log: this.log,
          allowedOrigins: s.allowedOrigins ?? [],
          auth: sharing.auth,
          tls: sharing.tls,
          observe: this.serverOptions.observe,
          pullThrough: this.pullThroughFor?.(storage)
        })
        try {
          const address = await server.listen(s.port, s.host)
          this.port = address.port
        } catch (err) {
          sharing.close()
          throw await this.listenError(err as NodeJS.ErrnoException, s.host, s.port)
        }
        this.server = server
        this.sharingSetup = sharing
        this.watchCertificate()
        await this.watchFolder(storage)
        const shared = sharing.status()
        await markServing(storage.layout, {
          host: s.host,
          port: this.port,
          ...(s.mirrors?.length ? { mirrors: s.mirrors } : {}),
          ...(shared.shared ? { scheme: shared.scheme, anonymousPull: shared.anonymousPull, customCert: shared.certificate?.source === 'custom' } : {})
        }).catch((err) => this.log.warn({ err }, 'could not write serving.json'))
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

  /**
   * Whether `host:port` could be listened on now, without touching the running registry: a throw-away
   * listen, with the error a start would give. Port 0 is not probed, nor an address whose port the
   * running registry holds itself on the same or an overlapping (wildcard) address: its restart will tell.
   */
  async checkAddress(host: string, port: number): Promise<void> {
    const current = this.settings.get().host
    const wildcard = (h: string) => h === '0.0.0.0' || h === '::'
    if (port === 0 || (this.state === 'running' && port === this.port && (host === current || wildcard(host) || wildcard(current)))) return
    const probe = createNetServer()
    try {
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject)
        probe.listen({ port, host, exclusive: true }, () => resolve())
      })
    } catch (err) {
      throw await this.listenError(err as NodeJS.ErrnoException, host, port)
    } finally {
      await new Promise<void>((resolve) => (probe.listening ? probe.close(() => resolve()) : resolve()))
    }
  }

  stop(): Promise<RegistryStatus> {
    return this.serial(async () => {
      if (!this.server) return this.set('stopped')
      this.set('stopping')
      clearInterval(this.activityTimer)
      clearInterval(this.renewTimer)
      clearInterval(this.diskTimer)
      this.unwatchFolder()
      this.disk = null
      await this.server.close(3000)
      this.server = null
      this.sharingSetup?.close()
      this.sharingSetup = null
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

  /** A shared registry keeps its certificate right while it runs: new addresses or near expiry get a new one, without a restart. */
  private watchCertificate(): void {
    clearInterval(this.renewTimer)
    if (!this.sharingSetup?.tls) return
    this.renewTimer = setInterval(() => {
      const server = this.server?.server
      this.sharingSetup
        ?.renew()
        .then((fresh) => {
          if (fresh && server && 'setSecureContext' in server) {
            server.setSecureContext(fresh)
            this.bus.emit('registry.status', this.status())
          }
        })
        .catch((err) => this.log.warn({ err: (err as Error).message }, 'could not renew the server certificate'))
    }, RENEW_CHECK_MS)
    this.renewTimer.unref()
  }

  /**
   * While serving: the data folder gone (moved, deleted, unmounted) is the 'error' state with what
   * to do, and 'running' again once it is back (the registry answers 503 meanwhile, see RootWatch);
   * the disk's level is part of the status, announced when it changes (full: pushes get 507).
   */
  private async watchFolder(storage: Storage): Promise<void> {
    this.unwatchFolder()
    this.unwatchFolder = storage.root.onChange((problem) => {
      if (!this.server) return
      if (problem) {
        this.log.error({ dataDir: storage.layout.root, reason: problem.reason }, 'the data folder is gone: answering 503 until it is back')
        this.set('error', new BerthError('FOLDER_GONE', problem.message, { dataDir: storage.layout.root, reason: problem.reason }))
      } else {
        this.log.info({ dataDir: storage.layout.root }, 'the data folder is back: serving it again')
        this.set('running')
      }
    })
    const look = async () => {
      const state = await storage.disk.state().catch(() => null)
      if (!state || !this.server) return
      const { freeBytes, totalBytes, reserveBytes, level, volume } = state
      const changed = this.disk?.level !== level
      this.disk = { freeBytes, totalBytes, reserveBytes, level, volume }
      // The first look is part of starting, which announces itself.
      if (!changed || this.state === 'starting') return
      if (level === 'full') this.log.warn({ freeBytes, volume }, 'the data folder\'s disk is full: pushes are refused (507)')
      this.bus.emit('registry.status', this.status())
    }
    const unwatchRoot = this.unwatchFolder
    const unwatchDisk = storage.disk.onRefused(() => void look())
    this.unwatchFolder = () => {
      unwatchRoot()
      unwatchDisk()
    }
    clearInterval(this.diskTimer)
    this.disk = null
    await look()
    this.diskTimer = setInterval(() => void look(), DISK_CHECK_MS)
    this.diskTimer.unref()
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
