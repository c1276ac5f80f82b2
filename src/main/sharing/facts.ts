import type { SharingInfo } from '@shared/model/sharing'
import { loadOrCreateCa } from '../tls/ca'
import { isLoopback, primaryAddress, shareNames, type NameSources } from '../tls/names'
import { PLAIN_HTTP_WARNING } from './setup'
import { sharingInfo } from './info'

/** How a registry is (or will be) served: enough to tell another machine how to use it. */
export interface ServedAs {
  host: string
  port: number
  tls?: 'on' | 'off'
  anonymousPull?: boolean
  /** A certificate of the person's own: its CA is theirs to hand out. */
  customCert?: boolean
}

export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/** `berth share info` and `sharing.info`: the steps for another machine, for the registry served as `served`. */
export async function infoFor(served: ServedAs, options: { tlsDir: string; image?: { repository: string; tag: string }; warnings?: string[]; names?: NameSources }): Promise<SharingInfo> {
  const shared = !isLoopback(served.host)
  const names = shareNames(served.host, options.names)
  const https = shared && served.tls !== 'off'
  const address = shared ? `${urlHost(primaryAddress(served.host, names))}:${served.port}` : `localhost:${served.port}`
  const addresses = shared
    ? [...names.ips.filter((ip) => !isLoopback(ip)), ...names.dns.filter((n) => n !== 'localhost')].map((h) => `${urlHost(h)}:${served.port}`)
    : [`localhost:${served.port}`, `127.0.0.1:${served.port}`]
  const caPem = https && !served.customCert ? (await loadOrCreateCa(options.tlsDir)).pem : null
  const warnings = options.warnings ?? (shared && !https ? [PLAIN_HTTP_WARNING] : [])
  if (!shared) warnings.push('The registry listens on this machine only (loopback): other machines cannot reach it. Share it with --host 0.0.0.0 (or an address of this machine).')
  return sharingInfo({
    address,
    addresses: [...new Set(addresses)],
    shared,
    scheme: https ? 'https' : 'http',
    authRequired: shared,
    anonymousPull: shared && (served.anonymousPull ?? false),
    caPem,
    image: options.image ?? { repository: 'team/app', tag: '1.0' },
    warnings
  })
}
