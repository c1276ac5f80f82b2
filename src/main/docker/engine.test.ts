import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DockerEngine } from './engine'
import type { DiscoveryEnv } from './discovery'

// The engine the person chose (DOCKER_HOST, a context) is the only one tried, as the docker CLI does:
// /var/run/docker.sock answers on this machine, and must not be used in its place.

describe('an explicit engine that does not answer', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })
  const home = async () => {
    const d = await mkdtemp(join(tmpdir(), 'berth-engine-'))
    dirs.push(d)
    return d
  }
  const discovery = (env: NodeJS.ProcessEnv, dir: string): DiscoveryEnv => ({ env, home: dir, platform: 'linux', readFile: () => null })

  it('DOCKER_HOST at a missing socket: unreachable, that socket alone tried, and advice naming it', async () => {
    const dir = await home()
    const sock = `unix://${join(dir, 'docker.sock')}`
    const seen: unknown[] = []
    const engine = new DockerEngine(discovery({ DOCKER_HOST: sock }, dir), (s) => seen.push(s))
    const status = await engine.check()
    expect(status).toMatchObject({ reachable: false, endpoint: null })
    expect(status.tried).toEqual([{ address: sock, source: 'DOCKER_HOST', problem: 'no such socket' }])
    expect(status.problem).toBe(
      `The Docker engine at DOCKER_HOST=${sock} does not answer (no such socket). Start it there, or unset DOCKER_HOST to use the default engine. Berth, like the docker CLI, uses only the engine you chose; the registry keeps working without it.`
    )
    await expect(engine.client()).rejects.toMatchObject({ code: 'DOCKER_UNREACHABLE', message: status.problem })
  })

  it('a tcp:// DOCKER_HOST nobody listens on: refused, nothing else tried', async () => {
    const dir = await home()
    const status = await new DockerEngine(discovery({ DOCKER_HOST: 'tcp://127.0.0.1:1' }, dir)).check()
    expect(status.reachable).toBe(false)
    expect(status.tried).toEqual([{ address: 'tcp://127.0.0.1:1', source: 'DOCKER_HOST', problem: 'connection refused (the engine is not running)' }])
  })

  it('DOCKER_CONTEXT naming a context that does not exist: says so, tries nothing else', async () => {
    const dir = await home()
    const status = await new DockerEngine(discovery({ DOCKER_CONTEXT: 'colima' }, dir)).check()
    expect(status.reachable).toBe(false)
    expect(status.tried).toHaveLength(1)
    expect(status.tried[0]).toMatchObject({ source: 'context', problem: expect.stringContaining('no context named "colima"') })
    expect(status.problem).toMatch(/^The Docker context "colima" is not defined .*docker context use default/)
  })
})
