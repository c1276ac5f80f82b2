import { z } from 'zod'
import { BerthErrorSchema } from '../errors'
import { SharingStatus } from './sharing'

export const RegistryState = z.enum(['stopped', 'starting', 'running', 'stopping', 'error'])

/** The data folder's disk while the registry runs: full means pushes are refused now (507). */
export const DiskStatus = z.object({
  freeBytes: z.number(),
  totalBytes: z.number(),
  /** What each write leaves free (pushes are refused once they would eat into it). */
  reserveBytes: z.number(),
  level: z.enum(['ok', 'low', 'full']),
  /** The mount point holding the data folder. */
  volume: z.string()
})
export type DiskStatus = z.infer<typeof DiskStatus>

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
  error: BerthErrorSchema.nullable(),
  /** How the registry is shared (TLS, accounts, warnings); absent before the first start. */
  sharing: SharingStatus.optional(),
  /** The data folder's disk, looked at every few seconds while running; absent while stopped. */
  disk: DiskStatus.optional(),
  /** Requests and bytes since start, while running: the header's counter right after a reload. */
  activity: z.object({ requests: z.number(), bytesIn: z.number(), bytesOut: z.number(), at: z.string() }).optional()
})
export type RegistryStatus = z.infer<typeof RegistryStatus>

/** How the window pushes and pulls: the engine's own push/pull, export/load through its API, or whichever works. */
export const TransferPath = z.enum(['auto', 'engine', 'export'])
/** How a push by export stores layers; auto: uncompressed while the registry is on loopback, gzip once it is shared. */
export const LayerEncodingSetting = z.enum(['auto', 'gzip', 'uncompressed'])
/** The manifest a push by export writes. */
export const ManifestFormatSetting = z.enum(['docker', 'oci'])

export const Settings = z.object({
  /** 0: any free port (what `berth serve --port 0` asks for). */
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1).max(255),
  dataDir: z.string().min(1),
  startOnLaunch: z.boolean(),
  startAtLogin: z.boolean(),
  /**
   * Origins (`http://host:port`) whose web pages may use the registry port. Registry clients never send
   * `Origin`; a browser does, so any page of another origin is refused unless listed here (none by default).
   */
  allowedOrigins: z
    .array(z.string().max(255).regex(/^https?:\/\/[^/\s?#]+$/i, 'An origin is scheme://host[:port], e.g. http://127.0.0.1:8080, with no path.'))
    .max(64)
    .optional(),
  // Sharing (a non-loopback host). Absent means the safe default; loopback ignores them all.
  /** HTTPS (the default when shared) or plain HTTP for people who use `insecure-registries`. */
  tls: z.enum(['on', 'off']).optional(),
  /** Pulls (GET/HEAD of manifests, blobs, tags, catalog, referrers) without an account; never push or delete. */
  anonymousPull: z.boolean().optional(),
  /** A certificate and key of your own (PEM files) instead of one from Berth's CA. */
  tlsCert: z.string().min(1).nullable().optional(),
  tlsKey: z.string().min(1).nullable().optional(),
  /**
   * Where the tray's "Share on the network" shares the registry when switched on: the address last
   * chosen in the window's Sharing view (one interface, or 0.0.0.0 — the default), so switching
   * sharing off and on again keeps that choice. Only `host` says where the registry listens now.
   */
  shareHost: z.string().min(1).max(255).optional(),
  /** Pull-through cache upstreams, `<upstream-url>[=<prefix>]` as `serve --mirror` takes them. */
  mirrors: z.array(z.string().min(1).max(2048)).max(32).optional(),
  /** Size budget of the cache in bytes (null: none); least recently pulled tags are evicted first. */
  mirrorBudgetBytes: z.number().int().min(0).nullable().optional(),
  /** How long a cached tag is served before it is checked with its upstream again. */
  mirrorTtlMs: z.number().int().min(0).optional(),
  transferPath: TransferPath.default('auto'),
  layerEncoding: LayerEncodingSetting.default('auto'),
  manifestFormat: ManifestFormatSetting.default('docker')
})
export type Settings = z.infer<typeof Settings>
/** Settings as given (the transfer choices may be left out: they have defaults). */
export type SettingsInput = z.input<typeof Settings>

export const RegistryActivity = z.object({
  requests: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  at: z.string()
})
export type RegistryActivity = z.infer<typeof RegistryActivity>
