import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { candidates, connectionOptions, isExplicit, type DiscoveryEnv } from './discovery'

function env(vars: NodeJS.ProcessEnv, files: Record<string, string> = {}, platform: NodeJS.Platform = 'linux'): DiscoveryEnv {
  return { env: vars, home: '/home/u', platform, readFile: (p) => files[p] ?? null }
}
const metaPath = (name: string) => `/home/u/.docker/contexts/meta/${createHash('sha256').update(name).digest('hex')}/meta.json`

describe('engine discovery, in the docker CLI order', () => {
  it('with nothing chosen: the default socket, Docker Desktop, podman', () => {
    const list = candidates(env({ XDG_RUNTIME_DIR: '/run/user/1000' }))
    expect(list.map((c) => [c.source, c.address])).toEqual([
      ['default', 'unix:///var/run/docker.sock'],
      ['docker-desktop', 'unix:///home/u/.docker/run/docker.sock'],
      ['docker-desktop', 'unix:///home/u/.docker/desktop/docker.sock'],
      ['podman', 'unix:///run/user/1000/podman/podman.sock'],
      ['podman', 'unix:///run/podman/podman.sock']
    ])
    expect(list.some(isExplicit)).toBe(false)
  })
  it('an explicit DOCKER_HOST is the engine: nothing else is tried, not even the current context', () => {
    const files = {
      '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'remote' }),
      [metaPath('remote')]: JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'tcp://10.1.2.3:2375' } } })
    }
    const list = candidates(env({ DOCKER_HOST: 'unix:///custom.sock', DOCKER_CONTEXT: 'remote', XDG_RUNTIME_DIR: '/run/user/1000' }, files))
    expect(list).toEqual([{ source: 'DOCKER_HOST', address: 'unix:///custom.sock', context: null }])
    expect(isExplicit(list[0])).toBe(true)
  })
  it('the current context (config.json) is the engine: no fallback to the default socket', () => {
    const files = {
      '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'remote' }),
      [metaPath('remote')]: JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'tcp://10.1.2.3:2375' } } })
    }
    expect(candidates(env({}, files))).toEqual([{ source: 'context', address: 'tcp://10.1.2.3:2375', context: 'remote' }])
  })
  it('DOCKER_CONTEXT beats config.json; the "default" context in config.json chooses nothing', () => {
    const files = { [metaPath('ci')]: JSON.stringify({ Endpoints: { docker: { Host: 'unix:///ci.sock' } } }), '/home/u/.docker/config.json': '{"currentContext":"default"}' }
    expect(candidates(env({ DOCKER_CONTEXT: 'ci' }, files))).toEqual([{ source: 'context', address: 'unix:///ci.sock', context: 'ci' }])
    expect(candidates(env({}, files))[0].source).toBe('default')
    expect(candidates(env({}, files)).length).toBeGreaterThan(1)
  })
  it('DOCKER_CONTEXT=default is the default engine only', () => {
    expect(candidates(env({ DOCKER_CONTEXT: 'default' }))).toEqual([{ source: 'default', address: 'unix:///var/run/docker.sock', context: null }])
  })
  it('a context named but not defined is the answer, with why (as `docker` says "context not found")', () => {
    const [only, ...rest] = candidates(env({ DOCKER_CONTEXT: 'gone' }))
    expect(rest).toEqual([])
    expect(only).toMatchObject({ source: 'context', context: 'gone' })
    expect(only.problem).toMatch(/no context named "gone" in \/home\/u\/\.docker\/contexts/)
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
