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
