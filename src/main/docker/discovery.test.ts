import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { candidates, connectionOptions, type DiscoveryEnv } from './discovery'

function env(vars: NodeJS.ProcessEnv, files: Record<string, string> = {}, platform: NodeJS.Platform = 'linux'): DiscoveryEnv {
  return { env: vars, home: '/home/u', platform, readFile: (p) => files[p] ?? null }
}
const metaPath = (name: string) => `/home/u/.docker/contexts/meta/${createHash('sha256').update(name).digest('hex')}/meta.json`

describe('engine discovery, in the docker CLI order', () => {
  it('DOCKER_HOST first, then the current context, the default socket, Docker Desktop, podman', () => {
    const files = {
      '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'remote' }),
      [metaPath('remote')]: JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'tcp://10.1.2.3:2375' } } })
    }
    const list = candidates(env({ DOCKER_HOST: 'unix:///custom.sock', XDG_RUNTIME_DIR: '/run/user/1000' }, files))
    expect(list.map((c) => [c.source, c.address])).toEqual([
      ['DOCKER_HOST', 'unix:///custom.sock'],
      ['context', 'tcp://10.1.2.3:2375'],
      ['default', 'unix:///var/run/docker.sock'],
      ['docker-desktop', 'unix:///home/u/.docker/run/docker.sock'],
      ['docker-desktop', 'unix:///home/u/.docker/desktop/docker.sock'],
      ['podman', 'unix:///run/user/1000/podman/podman.sock'],
      ['podman', 'unix:///run/podman/podman.sock']
    ])
    expect(list[1].context).toBe('remote')
  })
  it('DOCKER_CONTEXT beats config.json; the "default" context adds nothing', () => {
    const files = { [metaPath('ci')]: JSON.stringify({ Endpoints: { docker: { Host: 'unix:///ci.sock' } } }), '/home/u/.docker/config.json': '{"currentContext":"default"}' }
    expect(candidates(env({ DOCKER_CONTEXT: 'ci' }, files))[0]).toEqual({ source: 'context', address: 'unix:///ci.sock', context: 'ci' })
    expect(candidates(env({}, files))[0].source).toBe('default')
  })
  it('Windows uses named pipes', () => {
    expect(candidates(env({}, {}, 'win32'))[0].address).toBe('npipe:////./pipe/docker_engine')
  })
  it('maps addresses to dockerode options', () => {
    expect(connectionOptions('unix:///var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' })
    expect(connectionOptions('tcp://10.0.0.2:2376')).toEqual({ host: '10.0.0.2', port: 2376, protocol: 'http' })
    expect(connectionOptions('npipe:////./pipe/docker_engine')).toEqual({ socketPath: '\\\\.\\pipe\\docker_engine' })
    expect(connectionOptions('ssh://me@host')).toBeNull()
  })
})
