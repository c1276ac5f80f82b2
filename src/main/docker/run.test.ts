import { describe, expect, it } from 'vitest'
import { methods } from '@shared/contract'
import { portBindings, runCommand } from './run'

describe('docker.run publishes ports on this machine only unless asked', () => {
  it('defaults every mapping to 127.0.0.1 (Docker’s own default is every interface)', () => {
    const input = methods['docker.run'].input.parse({ repository: 'team/app', reference: '1.0', ports: [{ host: 8080, container: 80 }] })
    expect(input.ports).toEqual([{ host: 8080, container: 80, protocol: 'tcp', hostIp: '127.0.0.1' }])
    expect(portBindings(input.ports).bindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] })
    expect(runCommand({ image: 'localhost:5000/team/app:1.0', ports: input.ports })).toBe('docker run -d -p 127.0.0.1:8080:80 localhost:5000/team/app:1.0')
  })

  it('publishes where the person chose, and says so in the command', () => {
    const ports = [
      { host: 8080, container: 80, protocol: 'tcp' as const, hostIp: '0.0.0.0' },
      { host: 5353, container: 53, protocol: 'udp' as const, hostIp: '::1' }
    ]
    expect(portBindings(ports)).toEqual({
      exposed: { '80/tcp': {}, '53/udp': {} },
      bindings: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': [{ HostIp: '::1', HostPort: '5353' }] }
    })
    expect(runCommand({ image: 'img', ports, name: 'web' })).toBe('docker run -d --name web -p 0.0.0.0:8080:80 -p [::1]:5353:53/udp img')
    expect(methods['docker.run'].input.safeParse({ repository: 'a', reference: '1', ports: [{ host: 1, container: 1, hostIp: 'evil.example' }] }).success).toBe(false)
  })
})
