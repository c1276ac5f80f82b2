import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import pino from 'pino'
import { createRegistryServer } from '../registry/server'
import { openStorage } from '../storage'

export interface ServeOptions {
  port: number
  host: string
  data: string
  uploadTtl: number
  logLevel: string
}

/** The address as a URL host: IPv6 literals need brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** One clear sentence for what stops a registry from listening. */
export function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `Port ${port} on ${host} is already in use; stop what holds it or choose another port with --port.`
    case 'EACCES':
      return `Not allowed to listen on port ${port} (ports below 1024 need administrator rights); choose another with --port.`
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `The address ${host} does not belong to this machine; use 127.0.0.1, 0.0.0.0 or one of its own addresses with --host.`
    default:
      return `Cannot listen on ${host}:${port}: ${err.message}.`
  }
}

/** Proves the data folder can be written (creating it if needed); returns the problem as a sentence. */
export async function checkWritable(dir: string): Promise<string | null> {
  try {
    await mkdir(dir, { recursive: true })
    const probe = join(dir, `.berth-write-test-${process.pid}`)
    await writeFile(probe, '')
    await rm(probe)
    return null
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOTDIR' ? 'part of the path is a file' : e.code === 'EROFS' ? 'the disk is read-only' : e.message
    return `Cannot write to the data folder ${dir} (${why}); choose another with --data.`
  }
}

export async function runServe(opts: ServeOptions): Promise<number> {
  const data = resolve(opts.data)
  const problem = await checkWritable(data)
  if (problem) {
    process.stderr.write(`berth: ${problem}\n`)
    return 1
  }
  const log = pino({ level: opts.logLevel, base: undefined }, pino.destination({ dest: 2, sync: false }))
  const storage = await openStorage(data)
  const registry = createRegistryServer({ storage, log, uploadMaxAgeMs: opts.uploadTtl })
  let address
  try {
    address = await registry.listen(opts.port, opts.host)
  } catch (err) {
    process.stderr.write(`berth: ${listenProblem(err as NodeJS.ErrnoException, opts.host, opts.port)}\n`)
    return 1
  }
  process.stdout.write(`Berth registry listening on http://${urlHost(opts.host)}:${address.port} (data: ${data})\n`)

  return new Promise<number>((done) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ signal }, 'stopping: uploads in progress keep their state on disk')
      registry.close(3000).then(() => {
        log.flush()
        done(0)
      })
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
}
