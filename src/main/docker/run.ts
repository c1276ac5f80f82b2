import type Dockerode from 'dockerode'
import { BerthError } from '@shared/errors'
import { adviseDockerError, type ProgressState } from './progress'

export interface RunOptions {
  image: string
  ports: { host: number; container: number; protocol: 'tcp' | 'udp'; hostIp: string }[]
  name?: string
  network?: string
}

/** The docker CLI line this run is equivalent to, for people to copy. */
export function runCommand(o: RunOptions): string {
  const parts = ['docker run -d']
  if (o.name) parts.push(`--name ${o.name}`)
  if (o.network) parts.push(`--network ${o.network}`)
  for (const p of o.ports) parts.push(`-p ${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:${p.host}:${p.container}${p.protocol === 'udp' ? '/udp' : ''}`)
  parts.push(o.image)
  return parts.join(' ')
}

/** The engine's ExposedPorts and PortBindings for the mappings, each on its own host address. */
export function portBindings(ports: RunOptions['ports']): { exposed: Record<string, object>; bindings: Record<string, { HostIp: string; HostPort: string }[]> } {
  const exposed: Record<string, object> = {}
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {}
  for (const p of ports) {
    const key = `${p.container}/${p.protocol}`
    exposed[key] = {}
    bindings[key] = [...(bindings[key] ?? []), { HostIp: p.hostIp, HostPort: String(p.host) }]
  }
  return { exposed, bindings }
}

/** `docker run -d -p 127.0.0.1:host:container image`: create and start; the image must be in the engine. */
export async function runContainer(docker: Dockerode, o: RunOptions): Promise<{ id: string; name: string }> {
  const { exposed, bindings } = portBindings(o.ports)
  let container: Dockerode.Container
  try {
    container = await docker.createContainer({
      Image: o.image,
      name: o.name,
      ExposedPorts: exposed,
      HostConfig: { PortBindings: bindings, ...(o.network ? { NetworkMode: o.network } : {}) }
    })
  } catch (err) {
    const e = err as { statusCode?: number; json?: { message?: string }; message?: string }
    const message = e.json?.message ?? e.message
    if (e.statusCode === 409) throw new BerthError('CONFLICT', `A container named ${o.name} already exists: choose another name. (${message})`)
    throw new BerthError('DOCKER_FAILED', `Docker could not create the container: ${message}`)
  }
  try {
    await container.start()
  } catch (err) {
    const e = err as { json?: { message?: string }; message?: string }
    const message = e.json?.message ?? e.message ?? ''
    await container.remove({ force: true }).catch(() => {})
    const port = /port is already allocated|address already in use/i.test(message)
    throw new BerthError(port ? 'PORT_IN_USE' : 'DOCKER_FAILED', port ? `A host port is already in use; pick another host port. (${message})` : `Docker could not start the container: ${message}`)
  }
  const info = await container.inspect()
  return { id: container.id, name: info.Name.replace(/^\//, '') }
}

/**
 * `docker run` as the CLI does it: the image is pulled first when the engine lacks it (from
 * `registryHost`, whose failures read as advice), then the container is created and started.
 */
export async function pullAndRun(
  docker: Dockerode,
  o: RunOptions,
  registryHost: string,
  pullImage: (signal: AbortSignal, onUpdate: (s: ProgressState) => void) => Promise<ProgressState>
): Promise<{ id: string; name: string }> {
  const present = await docker.getImage(o.image).inspect().then(() => true, () => false)
  if (!present) {
    // The engine refuses some pulls before streaming (a repository or tag the registry lacks is an HTTP 404).
    const state = await pullImage(new AbortController().signal, () => {}).catch((err: Error & { statusCode?: number; json?: { message?: string } }) => {
      if (err.statusCode === undefined) throw err
      throw new BerthError('TRANSFER_FAILED', adviseDockerError(err.json?.message ?? err.message, registryHost), { image: o.image })
    })
    if (state.error) throw new BerthError('TRANSFER_FAILED', adviseDockerError(state.error, registryHost))
  }
  return runContainer(docker, o)
}
