import { rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import pino from 'pino'
import { BerthError } from '@shared/errors'
import { createHttpTransport } from '../service/http-transport'
import { createService } from '../service/service'
import { makeDir } from '../storage/core/files'

export interface ServeOptions {
  port: number
  host: string
  data: string
  uploadTtl: number
  logLevel: string
  ui: boolean
  uiPort: number
  /** Origins whose web pages may use the registry port (--allow-origin, repeatable). */
  allowOrigin?: string[]
  tls?: 'on' | 'off'
  anonymousPull?: boolean
  tlsCert?: string
  tlsKey?: string
  /** `<upstream-url>[=<prefix>]`, repeatable: a pull-through cache of each. */
  mirror?: string[]
  mirrorBudget?: number
  mirrorTtl?: number
}

/** The address as a URL host: IPv6 literals need brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** One clear sentence for what stops a registry from listening. */
export function listenProblem(code: string | undefined, host: string, port: number, suggestion?: number | null): string {
  switch (code) {
    case 'EADDRINUSE':
    case 'PORT_IN_USE':
      return `Port ${port} on ${host} is already in use; stop what holds it or choose another port with --port${suggestion ? ` (${suggestion} is free)` : ''}.`
    case 'EACCES':
      return `Not allowed to listen on port ${port} (ports below 1024 need administrator rights); choose another with --port.`
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'ADDRESS_UNAVAILABLE':
      return `The address ${host} does not belong to this machine; use 127.0.0.1, 0.0.0.0 or one of its own addresses with --host.`
    default:
      return `Cannot listen on ${host}:${port}.`
  }
}

/** Proves the data folder can be written (creating it if needed); returns the problem as a sentence. */
export async function checkWritable(dir: string): Promise<string | null> {
  try {
    await makeDir(dir)
    const probe = join(dir, `.berth-write-test-${process.pid}`)
    await writeFile(probe, '')
    await rm(probe)
    return null
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOTDIR' ? 'part of the path is a file' : e.code === 'EROFS' ? 'the disk is read-only' : e.code === 'ENOENT' ? 'no folder can be made there' : e.message
    return `Cannot write to the data folder ${dir} (${why}); choose another with --data.`
  }
}

/** `berth serve`: the registry, and unless --no-ui the app and its API on a second loopback port. */
export async function runServe(opts: ServeOptions): Promise<number> {
  const data = resolve(opts.data)
  const problem = await checkWritable(data)
  if (problem) {
    process.stderr.write(`berth: ${problem}\n`)
    return 1
  }
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) {
    process.stderr.write('berth: --tls-cert and --tls-key go together: give both (PEM files), or neither to use Berth\'s CA.\n')
    return 1
  }
  const log = pino({ level: opts.logLevel, base: undefined }, pino.destination({ dest: 2, sync: false }))
  const service = createService({
    settingsFile: null,
    defaults: {
      port: opts.port,
      host: opts.host,
      dataDir: data,
      startOnLaunch: true,
      startAtLogin: false,
      tls: opts.tls ?? 'on',
      anonymousPull: opts.anonymousPull ?? false,
      tlsCert: opts.tlsCert ? resolve(opts.tlsCert) : null,
      tlsKey: opts.tlsKey ? resolve(opts.tlsKey) : null,
      allowedOrigins: opts.allowOrigin ?? [],
      ...(opts.mirror?.length ? { mirrors: opts.mirror, mirrorBudgetBytes: opts.mirrorBudget ?? null, mirrorTtlMs: opts.mirrorTtl } : {})
    },
    log,
    registry: { uploadMaxAgeMs: opts.uploadTtl }
  })
  await service.init({ startRegistry: false })
  let status
  try {
    status = await service.registry.start()
  } catch (err) {
    const e = err as BerthError
    const detail = (e.detail ?? {}) as { suggestion?: number }
    const message = e instanceof BerthError && e.code !== 'INTERNAL' && e.code !== 'FOLDER_NOT_WRITABLE' ? listenProblem(e.code, opts.host, opts.port, detail.suggestion) : e.message
    process.stderr.write(`berth: ${message}\n`)
    await service.dispose()
    return 1
  }
  const sharing = status.sharing
  process.stdout.write(`Berth registry listening on ${sharing?.scheme ?? 'http'}://${urlHost(opts.host)}:${status.port} (data: ${data})\n`)
  if (sharing?.shared) {
    process.stdout.write(`Shared: ${sharing.anonymousPull ? 'anyone may pull, pushes need an account' : 'every request needs an account'} (${sharing.accounts} now; berth users add); \`berth share info\` prints the steps for other machines.\n`)
    for (const w of sharing.warnings) process.stderr.write(`berth: WARNING: ${w}\n`)
  }
  for (const m of opts.mirror ?? []) process.stdout.write(`Pull-through cache of ${m} (berth mirror info --data ${data} says how to use it)\n`)
  // Passwords typed into the app's window are kept in this process's memory only: berth serve has no keychain.
  if (opts.ui) process.stdout.write('Registry passwords entered in the app are kept in memory for this session only.\n')

  let transport: ReturnType<typeof createHttpTransport> | null = null
  if (opts.ui) {
    transport = createHttpTransport({ service, rendererDir: join(import.meta.dirname, '..', 'renderer'), log })
    try {
      const address = await transport.listen(opts.uiPort, '127.0.0.1')
      process.stdout.write(`Berth app on http://127.0.0.1:${address.port}/?token=${transport.token}\n`)
    } catch (err) {
      process.stderr.write(`berth: ${listenProblem((err as NodeJS.ErrnoException).code, '127.0.0.1', opts.uiPort)} (that was --ui-port)\n`)
      await service.dispose()
      return 1
    }
  }

  return new Promise<number>((done) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ signal }, 'stopping: uploads in progress keep their state on disk')
      Promise.all([service.dispose(), transport?.close()]).then(() => {
        log.flush()
        done(0)
      })
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
}
