import type { NetworkAddress } from '@shared/model/sharing'

export interface AddressChoice {
  host: string
  label: string
  /** What choosing it means, in a sentence. */
  means: string
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/

export const isLoopbackHost = (host: string) => LOOPBACK.test(host)
export const isWildcardHost = (host: string) => host === '0.0.0.0' || host === '::' || host === '[::]'

/** Where the registry can listen: this machine only, every interface, or one address (pure, tested). */
export function addressChoices(interfaces: readonly NetworkAddress[], current: string): AddressChoice[] {
  const choices: AddressChoice[] = [
    {
      host: '127.0.0.1',
      label: 'This machine only (127.0.0.1)',
      means: 'Loopback: nothing on the network reaches it, so no account and no TLS are needed. Docker on this machine uses localhost.'
    },
    {
      host: '0.0.0.0',
      label: 'Every network of this machine (0.0.0.0)',
      means: 'Reachable at every address below and by VMs on this machine (host.docker.internal): HTTPS and an account for every request.'
    },
    ...interfaces.map((a) => ({
      host: a.address,
      label: `${a.address} (${a.interface})`,
      means: `Only this address: machines that reach ${a.address} (its network) can use the registry; nothing else on this machine listens for it.`
    }))
  ]
  if (!choices.some((c) => c.host === current) && !isLoopbackHost(current))
    choices.push({ host: current, label: `${current} (from the settings)`, means: 'An address or name set elsewhere (berth serve --host, the settings file).' })
  return choices
}
