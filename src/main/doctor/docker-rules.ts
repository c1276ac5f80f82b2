import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'

/*
 * How dockerd decides whether it may talk plain HTTP (or unverified TLS) to a registry, as moby's
 * registry/config.go `isSecureIndex` does: an `IndexConfigs` entry for `host:port` decides first
 * (names in `insecure-registries` land there); else every IP the host name resolves to is checked
 * against `InsecureRegistryCIDRs` (127.0.0.0/8 is in it by default). Secure means HTTPS only,
 * verified against the system roots plus `certs.d/<host:port>/*.crt`.
 */

export interface RegistryConfig {
  InsecureRegistryCIDRs?: (string | { IP?: string; Mask?: string })[] | null
  IndexConfigs?: Record<string, { Name?: string; Secure?: boolean }> | null
}

export function splitAddress(address: string): { host: string; port: number | null } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(address)
  if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : null }
  const colon = address.lastIndexOf(':')
  if (colon > 0 && address.indexOf(':') === colon) return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) }
  return { host: address, port: null }
}

/** A CIDR as dockerd's API gives it: `"127.0.0.0/8"`, or an old-style {IP, Mask} of base64 bytes. */
function cidrOf(entry: string | { IP?: string; Mask?: string }): { ip: string; prefix: number } | null {
  if (typeof entry === 'string') {
    const [ip, prefix] = entry.split('/')
    return isIP(ip) ? { ip, prefix: Number(prefix ?? (isIP(ip) === 4 ? 32 : 128)) } : null
  }
  if (!entry.IP || !entry.Mask) return null
  const ipBytes = Buffer.from(entry.IP, 'base64')
  const mask = Buffer.from(entry.Mask, 'base64')
  const bits = [...mask].reduce((n, b) => n + b.toString(2).replace(/0/g, '').length, 0)
  const ip = ipBytes.length === 4 ? [...ipBytes].join('.') : ipBytes.length === 16 ? (ipBytes.toString('hex').match(/.{4}/g) ?? []).join(':') : ''
  return isIP(ip) ? { ip, prefix: bits } : null
}

export type Resolver = (host: string) => Promise<string[]>

export const systemResolver: Resolver = async (host) => {
  if (isIP(host)) return [host]
  try {
    return (await lookup(host, { all: true })).map((a) => a.address)
  } catch {
    return []
  }
}

/** Whether this engine allows plain HTTP (and unverified HTTPS) to `address` (`host:port`). */
export async function isInsecure(address: string, config: RegistryConfig, resolve: Resolver = systemResolver): Promise<{ insecure: boolean; why: string }> {
  const index = config.IndexConfigs?.[address]
  if (index && index.Secure !== undefined)
    return index.Secure ? { insecure: false, why: `${address} is configured as a secure registry` } : { insecure: true, why: `${address} is listed in insecure-registries` }
  const { host } = splitAddress(address)
  const ips = await resolve(host)
  const list = new BlockList()
  const cidrs: string[] = []
  for (const entry of config.InsecureRegistryCIDRs ?? []) {
    const c = cidrOf(entry)
    if (!c) continue
    list.addSubnet(c.ip, c.prefix, isIP(c.ip) === 4 ? 'ipv4' : 'ipv6')
    cidrs.push(`${c.ip}/${c.prefix}`)
  }
  for (const ip of ips) {
    if (list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6'))
      return { insecure: true, why: `${host}${host === ip ? '' : ` (${ip})`} is inside an insecure range of this engine (${cidrs.join(', ')})` }
  }
  return { insecure: false, why: `${address} is not in this engine's insecure-registries (${cidrs.join(', ') || 'none'})` }
}

/** The `certs.d` folder dockerd reads for `address`, and the CA files (`*.crt`) in it. */
export async function certsDirFor(address: string, root = '/etc/docker/certs.d'): Promise<{ dir: string; caFiles: string[] }> {
  const dir = join(root, address)
  const files = await readdir(dir).catch(() => [] as string[])
  return { dir, caFiles: files.filter((f) => f.endsWith('.crt')).map((f) => join(dir, f)) }
}
