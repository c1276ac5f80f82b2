import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import { formatReference } from '@shared/reference'
import type { DockerEngine } from '../docker/engine'
import { listImages, removeImage, tagImage } from '../docker/images'
import { adviseDockerError } from '../docker/progress'
import { pullAndRun, runCommand } from '../docker/run'
import type Dockerode from 'dockerode'
import type { Logger } from 'pino'
import { TransferRoutes, type RouteContext, type Runner } from '../transfer/transfer-route'
import type { RegistryHost } from './registry-host'
import type { SettingsStore } from './settings-store'
import type { TransferManager } from './transfers'

type DockerMethods = { [M in keyof Api as M extends `docker.${string}` | `transfers.${string}` ? (M extends 'docker.doctor' ? never : M) : never]: Api[M] }

/** The Docker methods of the contract: the local engine's images, push and pull through it, run, and the transfers. */
/** The credentials the window's own engine uses with a shared registry (Berth's internal account), if it needs any. */
export type WindowAuth = (host: string) => { username: string; password: string; serveraddress: string } | undefined

export interface DockerApiDeps {
  engine: DockerEngine
  registry: RegistryHost
  settings: SettingsStore
  transfers: TransferManager
  windowAuth?: WindowAuth
  log: Logger
}

export function createDockerApi(deps: DockerApiDeps): DockerMethods {
  const { engine, registry, settings, transfers, log } = deps
  const windowAuth = deps.windowAuth ?? (() => undefined)
  /** The engine's push/pull, or export/load through its API when it cannot reach the registry (transfer/transfer-route.ts). */
  const routes = new TransferRoutes()
  const routeContext = (docker: Dockerode, registryHost: string): RouteContext => ({
    docker,
    endpoint: engine.status.endpoint?.address ?? '',
    settings: settings.get(),
    registryHost,
    storage: () => registry.storage(),
    auth: windowAuth(registryHost)
  })

  function requireRunning(what: string): string {
    const status = registry.status()
    if (status.state !== 'running') throw new BerthError('REGISTRY_STOPPED', `The registry is not running, so ${what}. Start it first (Start registry).`)
    return status.pullHost
  }

  /** Docker calls that fail because the engine left get the engine re-checked (and the UI told). */
  async function withEngine<T>(fn: (docker: Awaited<ReturnType<DockerEngine['client']>>) => Promise<T>): Promise<T> {
    const docker = await engine.client()
    try {
      return await fn(docker)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EPIPE' || code === 'ECONNRESET') {
        await engine.lost()
        throw new BerthError('DOCKER_UNREACHABLE', engine.status.problem ?? 'The Docker engine went away.')
      }
      throw err
    }
  }

  return {
    'docker.status': () => engine.check(),
    'docker.images': (input) => withEngine((docker) => listImages(docker, input?.includeDangling ?? false)),
    'docker.tag': async ({ image, repository, tag }) => {
      const host = registry.status().pullHost
      await withEngine((docker) => tagImage(docker, image, `${host}/${repository}`, tag))
      return { reference: formatReference(host, repository, tag) }
    },
    'docker.push': async ({ image, repository, tag }) => {
      const host = requireRunning('Docker has nowhere to push')
      const reference = formatReference(host, repository, tag)
      await withEngine((docker) => tagImage(docker, image, `${host}/${repository}`, tag))
      const routed = await routes.push(routeContext(await engine.client(), host), { image, repository, tag })
      log.info({ reference, path: routed.route.path, why: routed.why }, 'push')
      const t = transfers.start('push', image, reference, routed.run, (m) => adviseDockerError(m, host), routed.route)
      return { transferId: t.id, reference }
    },
    'docker.pull': async ({ repository, reference }) => {
      const host = requireRunning('Docker has nothing to pull from')
      const ref = formatReference(host, repository, reference)
      const routed = await routes.pull(routeContext(await engine.client(), host), { repository, reference })
      log.info({ reference: ref, path: routed.route.path, why: routed.why }, 'pull')
      const t = transfers.start('pull', ref, ref, routed.run, (m) => adviseDockerError(m, host), routed.route)
      return { transferId: t.id, reference: ref }
    },
    'docker.removeImage': ({ image, force }) => withEngine((docker) => removeImage(docker, image, force).then((removed) => ({ removed }))),
    'docker.run': async ({ repository, reference, ports, name, network }) => {
      const host = requireRunning('Docker cannot fetch the image')
      const run = { image: formatReference(host, repository, reference), ports, name, network }
      return withEngine(async (docker) => {
        // Pulled only when the engine lacks the image, by the path that reaches it (engine, or load).
        const pullImage = async (signal: AbortSignal, onUpdate: Parameters<Runner>[1]) => (await routes.pull(routeContext(docker, host), { repository, reference })).run(signal, onUpdate)
        const { id, name: actual } = await pullAndRun(docker, run, host, pullImage)
        return { containerId: id, name: actual, command: runCommand(run) }
      })
    },
    'transfers.list': async () => transfers.list(),
    'transfers.cancel': async ({ id }) => {
      if (!transfers.cancel(id)) throw new BerthError('NOT_FOUND', `No running transfer ${id}; it may have finished already.`)
      return { ok: true as const }
    }
  }
}
