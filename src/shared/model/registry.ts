import { z } from 'zod'
import { BerthErrorSchema } from '../errors'

export const RegistryState = z.enum(['stopped', 'starting', 'running', 'stopping', 'error'])

export const RegistryStatus = z.object({
  state: RegistryState,
  host: z.string(),
  port: z.number().int(),
  /** `http://host:port` while running. */
  url: z.string().nullable(),
  /** What to put in image references: `localhost:5000`. */
  pullHost: z.string(),
  dataDir: z.string(),
  startedAt: z.string().nullable(),
  uptimeMs: z.number().nullable(),
  error: BerthErrorSchema.nullable()
})
export type RegistryStatus = z.infer<typeof RegistryStatus>

export const Settings = z.object({
  /** 0: any free port (what `berth serve --port 0` asks for). */
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1).max(255),
  dataDir: z.string().min(1),
  startOnLaunch: z.boolean(),
  startAtLogin: z.boolean(),
  /** Pull-through cache upstreams, `<upstream-url>[=<prefix>]` as `serve --mirror` takes them. */
  mirrors: z.array(z.string().min(1).max(2048)).max(32).optional(),
  /** Size budget of the cache in bytes (null: none); least recently pulled tags are evicted first. */
  mirrorBudgetBytes: z.number().int().min(0).nullable().optional(),
  /** How long a cached tag is served before it is checked with its upstream again. */
  mirrorTtlMs: z.number().int().min(0).optional()
})
export type Settings = z.infer<typeof Settings>

export const RegistryActivity = z.object({
  requests: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  at: z.string()
})
export type RegistryActivity = z.infer<typeof RegistryActivity>
