import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

// Where the Docker engine is, in the order the docker CLI looks: DOCKER_HOST, the current context,
// the platform default, Docker Desktop's per-user socket, then Podman's Docker-compatible socket.

export type EndpointSource = 'DOCKER_HOST' | 'context' | 'default' | 'docker-desktop' | 'podman'

export interface Candidate {
  source: EndpointSource
  /** `unix:///var/run/docker.sock`, `tcp://host:2375`, `npipe:////./pipe/docker_engine` */
  address: string
  context: string | null
}

export interface DiscoveryEnv {
  env: NodeJS.ProcessEnv
  home: string
  platform: NodeJS.Platform
  readFile: (path: string) => string | null
}

export function systemDiscoveryEnv(): DiscoveryEnv {
  return {
    env: process.env,
    home: process.env.HOME || homedir(),
    platform: process.platform,
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8')
      } catch {
        return null
      }
    }
  }
}

function json(text: string | null): Record<string, unknown> | null {
  if (text === null) return null
  try {
    const v = JSON.parse(text)
    return typeof v === 'object' && v !== null ? v : null
  } catch {
    return null
  }
}

/** The docker CLI's current context: DOCKER_CONTEXT, else `currentContext` in ~/.docker/config.json. */
export function currentContext(d: DiscoveryEnv): string | null {
  if (d.env.DOCKER_CONTEXT) return d.env.DOCKER_CONTEXT
  const configDir = d.env.DOCKER_CONFIG || join(d.home, '.docker')
  const config = json(d.readFile(join(configDir, 'config.json')))
  const name = config?.currentContext
  return typeof name === 'string' && name !== '' ? name : null
}

/** A context's docker endpoint, from ~/.docker/contexts/meta/<sha256(name)>/meta.json. */
export function contextHost(d: DiscoveryEnv, name: string): string | null {
  const configDir = d.env.DOCKER_CONFIG || join(d.home, '.docker')
  const id = createHash('sha256').update(name).digest('hex')
  const meta = json(d.readFile(join(configDir, 'contexts', 'meta', id, 'meta.json')))
  const endpoints = meta?.Endpoints as Record<string, { Host?: unknown }> | undefined
  const host = endpoints?.docker?.Host
  return typeof host === 'string' && host !== '' ? host : null
}

export function candidates(d: DiscoveryEnv): Candidate[] {
  const out: Candidate[] = []
  const add = (c: Candidate) => {
    if (!out.some((o) => o.address === c.address)) out.push(c)
  }
  if (d.env.DOCKER_HOST) add({ source: 'DOCKER_HOST', address: d.env.DOCKER_HOST, context: null })
  const context = currentContext(d)
  if (context && context !== 'default') {
    const host = contextHost(d, context)
    if (host) add({ source: 'context', address: host, context })
  }
  if (d.platform === 'win32') {
    add({ source: 'default', address: 'npipe:////./pipe/docker_engine', context: null })
    add({ source: 'docker-desktop', address: 'npipe:////./pipe/dockerDesktopLinuxEngine', context: null })
    add({ source: 'podman', address: 'npipe:////./pipe/podman-machine-default', context: null })
    return out
  }
  add({ source: 'default', address: 'unix:///var/run/docker.sock', context: null })
  add({ source: 'docker-desktop', address: `unix://${join(d.home, '.docker', 'run', 'docker.sock')}`, context: null })
  add({ source: 'docker-desktop', address: `unix://${join(d.home, '.docker', 'desktop', 'docker.sock')}`, context: null })
  const runtime = d.env.XDG_RUNTIME_DIR
  if (runtime) add({ source: 'podman', address: `unix://${join(runtime, 'podman', 'podman.sock')}`, context: null })
  add({ source: 'podman', address: 'unix:///run/podman/podman.sock', context: null })
  if (d.platform === 'darwin')
    add({ source: 'podman', address: `unix://${join(d.home, '.local', 'share', 'containers', 'podman', 'machine', 'podman.sock')}`, context: null })
  return out
}

/** dockerode connection options for an address; null for schemes it cannot speak (e.g. ssh://). */
export function connectionOptions(address: string): { socketPath: string } | { host: string; port: number; protocol: 'http' | 'https' } | null {
  if (address.startsWith('unix://')) return { socketPath: address.slice('unix://'.length) }
  if (address.startsWith('npipe://')) return { socketPath: address.slice('npipe://'.length).replace(/\//g, '\\') }
  const m = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\]):?(\d+)?\/?$/.exec(address)
  if (m) {
    const https = m[1] === 'https'
    return { host: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3] ?? (https ? 2376 : 2375)), protocol: https ? 'https' : 'http' }
  }
  return null
}
