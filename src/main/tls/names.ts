import { isIP } from 'node:net'
import { hostname as osHostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os'

/*
 * The names and addresses the registry answers on, which its certificate must name (SANs) and
 * `berth share info` offers: for 0.0.0.0 every IPv4 address of every interface (:: adds the IPv6
 * ones), else the address it is bound to; always the host name, `<host>.local` (mDNS) and localhost.
 */

export interface ShareNames {
  dns: string[]
  ips: string[]
}

export interface NameSources {
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>
  hostname?: string
}

export const VM_HOST_ALIASES = ['host.docker.internal', 'host.lima.internal', 'host.containers.internal']

const DNS_LABELS = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase()
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h)
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}

function linkLocal(ip: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(ip) || ip.startsWith('169.254.')
}

export function hostNames(hostname: string): string[] {
  const full = hostname.trim().toLowerCase().replace(/\.$/, '')
  if (!full) return []
  const short = full.split('.')[0]
  return [...new Set([full, short, `${short}.local`])].filter((n) => DNS_LABELS.test(n))
}

export function shareNames(bindHost: string, sources: NameSources = {}): ShareNames {
  const interfaces = sources.interfaces ?? networkInterfaces()
  const ips = new Set<string>(['127.0.0.1'])
  const dns = new Set<string>(['localhost', ...hostNames(sources.hostname ?? osHostname())])
  const host = bindHost.replace(/^\[|\]$/g, '')
  if (isWildcard(host)) {
    // The names engines in a VM (Docker Desktop, OrbStack, Colima, Podman machine) reach this machine by.
    for (const alias of VM_HOST_ALIASES) dns.add(alias)
    const withV6 = host === '::'
    for (const list of Object.values(interfaces))
      for (const a of list ?? []) {
        if (a.family === 'IPv4' && !linkLocal(a.address)) ips.add(a.address)
        if (withV6 && a.family === 'IPv6' && !linkLocal(a.address)) ips.add(a.address)
      }
  } else if (isIP(host)) {
    ips.add(host)
  } else if (DNS_LABELS.test(host.toLowerCase())) {
    dns.add(host.toLowerCase())
  }
  return { dns: [...dns].sort(), ips: [...ips].sort(compareIps) }
}

/** Every address of this machine another one could reach (not loopback, not link-local), IPv4 first. */
export function interfaceAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): { interface: string; address: string; family: 'IPv4' | 'IPv6' }[] {
  const found: { interface: string; address: string; family: 'IPv4' | 'IPv6' }[] = []
  for (const [name, list] of Object.entries(interfaces))
    for (const a of list ?? []) if (!a.internal && !linkLocal(a.address) && !isLoopback(a.address)) found.push({ interface: name, address: a.address, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' })
  return found.sort((a, b) => compareIps(a.address, b.address))
}

/** IPv4 before IPv6, then in numeric order, so lists read naturally and compare stably. */
function compareIps(a: string, b: string): number {
  const fa = isIP(a)
  const fb = isIP(b)
  if (fa !== fb) return fa - fb
  if (fa === 4) {
    const na = a.split('.').map(Number)
    const nb = b.split('.').map(Number)
    for (let i = 0; i < 4; i++) if (na[i] !== nb[i]) return na[i] - nb[i]
    return 0
  }
  return a < b ? -1 : a > b ? 1 : 0
}

/** The address another machine should use: the bound one, else the first LAN IPv4 (private ranges first), else the host name. */
export function primaryAddress(bindHost: string, names: ShareNames): string {
  const host = bindHost.replace(/^\[|\]$/g, '')
  if (!isWildcard(host) && !isLoopback(host)) return host
  const lan = names.ips.filter((ip) => !isLoopback(ip))
  const privateFirst = [...lan].sort((a, b) => Number(!isPrivate(a)) - Number(!isPrivate(b)))
  return privateFirst[0] ?? names.dns.find((n) => n !== 'localhost') ?? 'localhost'
}

function isPrivate(ip: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip) || /^f[cd]/i.test(ip)
}
