import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

// Where the Docker engine is, as the docker CLI decides: an explicit DOCKER_HOST, else an explicit
// context (DOCKER_CONTEXT, else `currentContext` in config.json) is THE engine — when it does not
// answer, that is the answer, never another socket (a push must go to the engine the person chose).
// Only with nothing chosen are the platform default, Docker Desktop's per-user socket and Podman's
// Docker-compatible socket tried in turn.

export type EndpointSource = 'DOCKER_HOST' | 'context' | 'default' | 'docker-desktop' | 'podman'

export interface Candidate {
  source: EndpointSource
  /** `unix:///var/run/docker.sock`, `tcp://host:2375`, `npipe:////./pipe/docker_engine` */
  address: string
  context: string | null
  /** Why this candidate cannot even be tried (a context named but not defined). */
  problem?: string
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

/** Whether the person chose the engine (DOCKER_HOST or a context): then only that one is tried. */
export function isExplicit(c: Candidate): boolean {
  return c.source === 'DOCKER_HOST' || c.source === 'context'
}

export function candidates(d: DiscoveryEnv): Candidate[] {
  if (d.env.DOCKER_HOST) return [{ source: 'DOCKER_HOST', address: d.env.DOCKER_HOST, context: null }]
  const context = currentContext(d)
  const chosenDefault = d.env.DOCKER_CONTEXT === 'default'
  if (context && context !== 'default') {
    const host = contextHost(d, context)
    const configDir = d.env.DOCKER_CONFIG || join(d.home, '.docker')
    return [
      host
        ? { source: 'context', address: host, context }
        : { source: 'context', address: `context ${context}`, context, problem: `no context named "${context}" in ${join(configDir, 'contexts')} (docker context ls)` }
    ]
  }
  const out: Candidate[] = []
  const add = (c: Candidate) => {
    if (!out.some((o) => o.address === c.address)) out.push(c)
  }
  if (d.platform === 'win32') {
    add({ source: 'default', address: 'npipe:////./pipe/docker_engine', context: null })
    if (chosenDefault) return out
    add({ source: 'docker-desktop', address: 'npipe:////./pipe/dockerDesktopLinuxEngine', context: null })
    add({ source: 'podman', address: 'npipe:////./pipe/podman-machine-default', context: null })
    return out
  }
  add({ source: 'default', address: 'unix:///var/run/docker.sock', context: null })
  // DOCKER_CONTEXT=default names the default engine, as `docker --context default` does.
  if (chosenDefault) return out
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
