import { z } from 'zod'

// What a bind address may be and what it means, said once for the CLI (`serve --host`), the settings
// contract and the Settings dialog: an IPv4 or IPv6 literal, or `localhost`. A name that resolves
// elsewhere or a dotted quad such as 999.1.1.1 is refused before anything listens.

const ipv4 = z.ipv4()
const ipv6 = z.ipv6()

export type BindScope = 'loopback' | 'all' | 'interface'

/** Why `host` cannot be bound (one sentence), or null when it can be tried. */
export function bindAddressProblem(host: string): string | null {
  const h = host.trim()
  if (h === '') return 'Enter an address: 127.0.0.1 keeps the registry on this machine, 0.0.0.0 shares it.'
  if (h === 'localhost' || ipv4.safeParse(h).success || ipv6.safeParse(h).success) return null
  return `${h} is not an IP address: use 127.0.0.1 (this machine only), 0.0.0.0 (every network) or one of this machine's addresses.`
}

export function bindScope(host: string): BindScope {
  const h = host.trim().toLowerCase()
  if (h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)) return 'loopback'
  if (h === '0.0.0.0' || h === '::') return 'all'
  return 'interface'
}

/** What binding to `host` means for who can reach the registry. */
export function describeBindAddress(host: string): string {
  switch (bindScope(host)) {
    case 'loopback':
      return 'This machine only: other machines cannot reach the registry.'
    case 'all':
      return 'Every network this machine is on: shares the registry with the network (HTTPS and accounts).'
    default:
      return `Only the network that reaches ${host.trim()}: shares the registry with that network (HTTPS and accounts).`
  }
}
