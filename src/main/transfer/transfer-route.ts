import type Dockerode from 'dockerode'
import type { ManifestFormat } from '@shared/layer-media'
import type { Transfer } from '@shared/model/docker'
import type { Settings } from '@shared/model/registry'
import type { Storage } from '../storage'
import { locateEngine, type EngineLocation } from '../docker/engine-location'
import { exportPush } from './export-push'
import type { GzipOptions, LayerEncoding } from './layer-encoder'
import { enginePlatform, loadPull } from './load-pull'
import type { ProgressState } from '../docker/progress'
import { pull, push, type RegistryAuth } from '../docker/transfer'
import { addStoredSizes } from './stored-sizes'

// Which way a push or pull from the window goes. The engine's own push/pull gives exactly `docker
// push`'s digests, so it is used whenever the engine can reach the registry's address; when it cannot
// (a VM, another host: see engine-location.ts), Berth reads or writes the image through the engine's
// API instead (export-push.ts, load-pull.ts). The setting `transferPath` can force either.

/**
 * The layer encoding of a push by export when the setting says `auto`, chosen by bench/vm-push.mjs
 * (535 MB image, 5 layers, half random; 2 shared cores): uncompressed pushed 2.4–2.6× faster than
 * `docker push`, gzip (level 1, chunks in parallel, stored blocks for random ones) 1.3–2.0×, at
 * 535 MB stored against 352 (docker push: 335). On loopback the registry serves this machine: bytes
 * cost nothing to move there, a pull by load of uncompressed layers is faster too (1.07× vs 0.93×
 * docker pull), and the push uses no CPU for compression; the price is disk, and a person short of
 * it chooses gzip. A registry shared on the network sends every layer to other machines: gzip.
 */
export const LOOPBACK_ENCODING: LayerEncoding = 'uncompressed'

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || /^127\./.test(host)
}

export function layerEncodingFor(settings: Pick<Settings, 'layerEncoding' | 'host'>): LayerEncoding {
  if (settings.layerEncoding !== 'auto') return settings.layerEncoding
  return isLoopback(settings.host) ? LOOPBACK_ENCODING : 'gzip'
}

export type Runner = (signal: AbortSignal, onUpdate: (s: ProgressState) => void) => Promise<ProgressState>

export interface RoutedTransfer {
  route: Pick<Transfer, 'path' | 'encoding'>
  /** Why this path (for the logs and `berth doctor`). */
  why: string
  run: Runner
}

export interface RouteContext {
  docker: Dockerode
  /** The address Berth reaches the engine at (unix://…, tcp://…). */
  endpoint: string
  settings: Settings
  /** `localhost:5000`: the registry as image references name it. */
  registryHost: string
  storage: () => Promise<Storage>
  /** Credentials the engine's own push and pull present (a shared registry's internal account). */
  auth?: RegistryAuth
}

const CACHE_MS = 60_000

/** Every path ends the same way: each layer's and the image's size read from what the registry now stores. */
function sized(ctx: RouteContext, repository: string, run: Runner): Runner {
  return async (signal, onUpdate) => {
    const state = await run(signal, onUpdate)
    // The transfer happened: a size the folder cannot tell (a read error) is not its failure.
    return addStoredSizes(await ctx.storage(), repository, state).catch(() => state)
  }
}

export class TransferRoutes {
  private readonly cache = new Map<string, { at: number; location: Promise<EngineLocation> }>()

  /** Bench-only knob (BERTH_GZIP="chunks:1", "stream:6", "chunks:1:nostore"): how a push by export gzips. */
  constructor(private readonly gzip: GzipOptions | undefined = gzipFromEnv(process.env.BERTH_GZIP)) {}

  /** Where the engine is and whether it reaches `registryHost`; probed at most once a minute per engine and address. */
  locate(docker: Dockerode, endpoint: string, registryHost: string): Promise<EngineLocation> {
    const key = `${endpoint}\u0000${registryHost}`
    const hit = this.cache.get(key)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.location
    const location = locateEngine(docker, { endpoint, registry: registryHost })
    this.cache.set(key, { at: Date.now(), location })
    location.catch(() => this.cache.delete(key))
    return location
  }

  private async path(ctx: RouteContext): Promise<{ path: Transfer['path']; why: string }> {
    if (ctx.settings.transferPath !== 'auto') return { path: ctx.settings.transferPath, why: `the setting says ${ctx.settings.transferPath}` }
    const located = await this.locate(ctx.docker, ctx.endpoint, ctx.registryHost)
    if (located.reachesRegistry) return { path: 'engine', why: `the engine (${located.product}, ${located.where}) reaches ${ctx.registryHost}` }
    const probe = located.probe ? `: ${located.probe.message}` : ''
    return { path: 'export', why: `the engine (${located.product}, ${located.where}${located.hints.length ? `; ${located.hints.join(', ')}` : ''}) cannot reach ${ctx.registryHost}${probe}` }
  }

  async push(ctx: RouteContext, request: { image: string; repository: string; tag: string }): Promise<RoutedTransfer> {
    const reference = `${ctx.registryHost}/${request.repository}:${request.tag}`
    const { path, why } = await this.path(ctx)
    if (path === 'engine') return { route: { path, encoding: 'gzip' }, why, run: sized(ctx, request.repository, (signal, onUpdate) => push(ctx.docker, reference, signal, onUpdate, ctx.auth)) }
    const encoding = layerEncodingFor(ctx.settings)
    const format: ManifestFormat = ctx.settings.manifestFormat
    return {
      route: { path, encoding },
      why,
      run: sized(ctx, request.repository, async (signal, onUpdate) => exportPush(ctx.docker, await ctx.storage(), { ...request, encoding, format, gzip: this.gzip }, signal, onUpdate))
    }
  }

  /** `reference`: a tag or a digest of `repository`. */
  async pull(ctx: RouteContext, request: { repository: string; reference: string }): Promise<RoutedTransfer> {
    const byDigest = request.reference.includes(':')
    const ref = `${ctx.registryHost}/${request.repository}${byDigest ? '@' : ':'}${request.reference}`
    const { path, why } = await this.path(ctx)
    if (path === 'engine') return { route: { path, encoding: null }, why, run: sized(ctx, request.repository, (signal, onUpdate) => pull(ctx.docker, ref, signal, onUpdate, ctx.auth)) }
    return {
      route: { path, encoding: null },
      why,
      run: sized(ctx, request.repository, async (signal, onUpdate) =>
        loadPull(ctx.docker, await ctx.storage(), { ...request, name: byDigest ? null : ref, platform: await enginePlatform(ctx.docker) }, signal, onUpdate))
    }
  }
}

export function gzipFromEnv(text: string | undefined): GzipOptions | undefined {
  if (!text) return undefined
  const [mode, level, store] = text.split(':')
  return { mode: mode === 'stream' ? 'stream' : 'chunks', level: Number(level) || 1, storeIncompressible: store !== 'nostore', chunkBytes: 1 << 20 }
}
