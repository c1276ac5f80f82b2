import { z } from 'zod'
import { TagSummary } from './catalog'

// Other registries Berth talks to as a client: saved ones (no secret in here, ever), what browsing
// them answers, copies to and from them, and the pull-through cache.

/** `host[:port]` of a registry, e.g. registry.example:5000 or ghcr.io (docker.io for Docker Hub). */
export const RegistryAddress = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?)(:\d{1,5})?$/, 'A registry address is host or host:port, e.g. registry.example:5000.')

export const SavedRegistry = z.object({
  id: z.string(),
  address: z.string(),
  /** false: plain HTTP, or HTTPS with any certificate (skopeo's --tls-verify=false). */
  tlsVerify: z.boolean(),
  username: z.string().nullable(),
  /**
   * Where its credentials come from: `saved` (typed into Berth, kept by the OS keychain — or, in
   * `berth serve`, in memory for the session only), `docker` (found as the docker CLI finds them), `none`.
   */
  credentials: z.enum(['saved', 'docker', 'none']),
  /** For `saved`: whether the secret outlives the process. */
  secretPersistence: z.enum(['keychain', 'session']).nullable(),
  addedAt: z.string()
})
export type SavedRegistry = z.infer<typeof SavedRegistry>

export const RemoteTest = z.object({
  address: z.string(),
  reachable: z.boolean(),
  scheme: z.enum(['https', 'http']).nullable(),
  auth: z.enum(['none', 'basic', 'bearer']).nullable(),
  /** Whether it lists its repositories (`_catalog`); Docker Hub and GHCR do not. */
  catalog: z.boolean().nullable(),
  /** Why not, and what to do, when it is not reachable. */
  problem: z.object({ code: z.string(), message: z.string() }).nullable()
})
export type RemoteTest = z.infer<typeof RemoteTest>

export const RemoteRepositories = z.object({
  /** `catalog`: the registry lists them; `by-name`: it has no `_catalog` (Docker Hub, GHCR), type a repository name. */
  browse: z.enum(['catalog', 'by-name']),
  items: z.array(z.object({ name: z.string() })),
  /** Give as `last` for the next page. */
  next: z.string().nullable(),
  message: z.string().nullable()
})
export type RemoteRepositories = z.infer<typeof RemoteRepositories>

/** As the local catalog's tag rows; when it was pushed is not something a registry says. */
export const RemoteTagSummary = TagSummary.extend({ pushedAt: z.string().nullable() })
export type RemoteTagSummary = z.infer<typeof RemoteTagSummary>

export const CopyDirection = z.enum(['push', 'pull'])

export const MirrorStatus = z.object({
  mirrors: z.array(z.object({ url: z.string(), registry: z.string(), prefix: z.string().nullable() })),
  stats: z.object({
    hits: z.number(),
    misses: z.number(),
    blobsFetched: z.number(),
    bytesFetched: z.number(),
    upstreamErrors: z.number(),
    evictedTags: z.number()
  }),
  cachedTags: z.number().int(),
  budgetBytes: z.number().nullable(),
  /** What to tell Docker (`registry-mirrors` in daemon.json: Docker Hub only) and how to name other upstreams' images. */
  advice: z.array(z.string())
})
export type MirrorStatus = z.infer<typeof MirrorStatus>
