import { z } from 'zod'

export const EngineEndpoint = z.object({
  /** How it was found, in the docker CLI's order. */
  source: z.enum(['DOCKER_HOST', 'context', 'default', 'docker-desktop', 'podman']),
  /** `unix:///var/run/docker.sock`, `tcp://…`, `npipe:////./pipe/docker_engine` */
  address: z.string(),
  context: z.string().nullable()
})
export type EngineEndpoint = z.infer<typeof EngineEndpoint>

export const EngineStatus = z.object({
  reachable: z.boolean(),
  endpoint: EngineEndpoint.nullable(),
  /** Every place that was tried, with why it did not answer. */
  tried: z.array(z.object({ address: z.string(), source: z.string(), problem: z.string().nullable() })),
  engineVersion: z.string().nullable(),
  apiVersion: z.string().nullable(),
  os: z.string().nullable(),
  /** Docker Desktop, Podman, or a plain engine. */
  flavour: z.enum(['docker-desktop', 'podman', 'engine']).nullable(),
  problem: z.string().nullable(),
  checkedAt: z.string()
})
export type EngineStatus = z.infer<typeof EngineStatus>

export const LocalImage = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  digests: z.array(z.string()),
  size: z.number(),
  created: z.string(),
  dangling: z.boolean()
})
export type LocalImage = z.infer<typeof LocalImage>

export const LayerPhase = z.enum(['waiting', 'uploading', 'mounted', 'exists', 'downloading', 'verifying', 'extracting', 'done'])
export type LayerPhase = z.infer<typeof LayerPhase>

export const LayerProgress = z.object({
  id: z.string(),
  phase: LayerPhase,
  /** Bytes moved of `total`, as the engine counts them (a push counts the uncompressed layer). */
  current: z.number(),
  total: z.number().nullable(),
  /**
   * What the registry stores for this layer: its blob's size, as sent, mounted or already there.
   * Engines report no size for a mounted or existing layer, so it is read from the stored manifest
   * once the transfer is done; null until then.
   */
  size: z.number().nullable()
})
export type LayerProgress = z.infer<typeof LayerProgress>

export const TransferState = z.enum(['running', 'done', 'error', 'cancelled'])

export const Transfer = z.object({
  id: z.string(),
  kind: z.enum(['push', 'pull']),
  /** The local image (push) or registry reference (pull) it started from. */
  source: z.string(),
  /** Where it goes: `localhost:5000/team/app:1.2` (push) or the same reference pulled into the engine. */
  target: z.string(),
  state: TransferState,
  /**
   * `engine`: the engine's own push or pull (it reaches the registry); `export`: Berth read or wrote the
   * image through the engine's API (save / load); `copy`: Berth copied it between itself and another
   * registry (remote.copy), no engine involved.
   */
  path: z.enum(['engine', 'export', 'copy']),
  /** How a push stores its new layers (an engine push gzips them); null for pulls. */
  encoding: z.enum(['gzip', 'uncompressed']).nullable(),
  layers: z.array(LayerProgress),
  overall: z.object({ current: z.number(), total: z.number(), percent: z.number(), layersDone: z.number(), layers: z.number() }),
  digest: z.string().nullable(),
  /** The image as the registry stores it (manifest, config, every layer: the tag's size in the catalog); null until done. */
  imageBytes: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable()
})
export type Transfer = z.infer<typeof Transfer>

export const PortMapping = z.object({
  host: z.number().int().min(1).max(65535),
  container: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  /**
   * The host address the port is published on: this machine only unless the person chooses otherwise
   * (`0.0.0.0`: reachable from other machines). Docker's own default is every interface.
   */
  hostIp: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1')
})
