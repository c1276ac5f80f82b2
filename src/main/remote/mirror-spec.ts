import { BerthError } from '@shared/errors'
import { isValidName } from '@shared/reference'
import { DOCKER_HUB } from './reference'

// `--mirror <upstream-url>[=<prefix>]`: which upstream a pull-through cache fetches from, and under
// which repository prefix of Berth it appears (none: every name Berth does not hold).

export interface MirrorSpec {
  /** `http://host:port` or `https://host`, as given. */
  url: string
  /** `host[:port]` of the upstream; Docker Hub is `docker.io`. */
  registry: string
  /** Plain HTTP (or unverified HTTPS) for this upstream. */
  tlsVerify: boolean
  prefix: string | null
}

export function parseMirrorSpec(text: string): MirrorSpec {
  const eq = text.lastIndexOf('=')
  const urlText = eq > 0 && !text.slice(eq).includes('/') ? text.slice(0, eq) : text
  const prefix = urlText === text ? null : text.slice(eq + 1)
  let url: URL
  try {
    url = new URL(urlText.includes('://') ? urlText : `https://${urlText}`)
  } catch {
    throw new BerthError('INVALID_INPUT', `"${text}" is not a mirror; write <upstream-url>[=<prefix>], e.g. https://registry-1.docker.io or http://10.0.0.5:5000=team.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BerthError('INVALID_INPUT', `A mirror's upstream is an http:// or https:// URL, not "${urlText}".`)
  if (prefix !== null && !isValidName(prefix)) throw new BerthError('INVALID_INPUT', `"${prefix}" is not a repository prefix; it is a name such as team or mirror/hub.`)
  const host = url.host.toLowerCase()
  const registry = host === DOCKER_HUB.apiHost || host === 'index.docker.io' || host === DOCKER_HUB.name ? DOCKER_HUB.name : host
  return { url: `${url.protocol}//${url.host}`, registry, tlsVerify: url.protocol === 'https:', prefix }
}

export interface Route {
  spec: MirrorSpec
  /** The repository's name at the upstream. */
  upstreamName: string
}

/** The upstream a repository name is fetched from: a prefix match first, else the mirror without prefix. */
export function routeOf(specs: readonly MirrorSpec[], name: string): Route | null {
  for (const spec of specs) if (spec.prefix && name.startsWith(`${spec.prefix}/`)) return { spec, upstreamName: upstreamName(spec, name.slice(spec.prefix.length + 1)) }
  const catchAll = specs.find((s) => s.prefix === null)
  return catchAll ? { spec: catchAll, upstreamName: upstreamName(catchAll, name) } : null
}

function upstreamName(spec: MirrorSpec, name: string): string {
  // Docker Hub's official images live under library/ (docker pull busybox is library/busybox).
  return spec.registry === DOCKER_HUB.name && !name.includes('/') ? `library/${name}` : name
}

/** `berth mirror info`: what to tell Docker, and how to name images of other upstreams. */
export function mirrorAdvice(specs: readonly MirrorSpec[], berthHost: string): string[] {
  const lines: string[] = []
  const hub = specs.find((s) => s.prefix === null)
  if (hub) {
    lines.push(`Docker (daemon.json; mirrors Docker Hub only — "registry-mirrors" is never used for other registries):`)
    lines.push(`  "registry-mirrors": ["http://${berthHost}"]`)
    if (hub.registry !== DOCKER_HUB.name)
      lines.push(`  (the catch-all upstream here is ${hub.registry}, not Docker Hub: Docker would send Hub pulls to it; use ${berthHost}/<repo> instead)`)
  }
  for (const s of specs.filter((x) => x.prefix)) lines.push(`${s.url}: pull ${berthHost}/${s.prefix}/<repo>[:tag] (fetches <repo> from ${s.registry})`)
  if (specs.length === 0) lines.push('No mirror is configured: start with berth serve --mirror <upstream-url>[=<prefix>].')
  return lines
}
