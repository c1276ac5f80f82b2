import { z } from 'zod'

// Sharing the registry with other machines: accounts, TLS, the steps for another host, the doctor
// and the access log. Passwords appear only in inputs, never in an output.

/** `pull` reads; `push` also pushes and tags; `admin` also deletes. */
export const Role = z.enum(['pull', 'push', 'admin'])
export type Role = z.infer<typeof Role>

/** An htpasswd user name: no `:` (the field separator) and nothing a shell or a log would mangle. */
export const AccountName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,63}$/, 'An account name is 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit.')

/** bcrypt reads at most 72 bytes, so a longer password would be silently cut: refused instead. */
export const Password = z
  .string()
  .min(8, 'A password needs at least 8 characters.')
  .refine((p) => new TextEncoder().encode(p).length <= 72, 'A password may have at most 72 bytes (bcrypt ignores the rest).')
  .refine((p) => !/[\r\n]/.test(p), 'A password cannot contain a line break.')

export const Account = z.object({
  name: z.string(),
  role: Role,
  /** False for a line someone added with `htpasswd` itself: it gets the `pull` role until given another. */
  roleAssigned: z.boolean(),
  /** False when the hash is not bcrypt (e.g. `htpasswd -m`): Berth and Distribution both refuse it. */
  usable: z.boolean()
})
export type Account = z.infer<typeof Account>

export const CertificateInfo = z.object({
  source: z.enum(['berth-ca', 'custom']),
  /** DNS names and IP addresses the certificate is valid for. */
  names: z.array(z.string()),
  notAfter: z.string(),
  /** SHA-256 fingerprint of the server certificate, `AB:CD:…`. */
  fingerprint: z.string()
})
export type CertificateInfo = z.infer<typeof CertificateInfo>

export const SharingStatus = z.object({
  /** Bound to something other than loopback. */
  shared: z.boolean(),
  scheme: z.enum(['http', 'https']),
  /** Every request needs an account (pulls too, unless anonymousPull). */
  authRequired: z.boolean(),
  anonymousPull: z.boolean(),
  accounts: z.number().int(),
  certificate: CertificateInfo.nullable(),
  /** Things a person must know: passwords in clear over plain HTTP, no accounts yet. */
  warnings: z.array(z.string())
})
export type SharingStatus = z.infer<typeof SharingStatus>

/** An address of one of this machine's network interfaces, that the registry can be shared on alone. */
export const NetworkAddress = z.object({
  /** The interface's name: eth0, en0, wlan0… */
  interface: z.string(),
  address: z.string(),
  family: z.enum(['IPv4', 'IPv6'])
})
export type NetworkAddress = z.infer<typeof NetworkAddress>

export const SharingStep = z.object({
  id: z.string(),
  title: z.string(),
  /** Why and where, in a sentence. */
  note: z.string().optional(),
  /** Exact text to run or paste (one string per copy button). */
  commands: z.array(z.string())
})
export type SharingStep = z.infer<typeof SharingStep>

export const SharingInfo = z.object({
  /** `host:port` another machine uses. */
  address: z.string(),
  /** Every address the registry answers on (each is in the certificate). */
  addresses: z.array(z.string()),
  shared: z.boolean(),
  scheme: z.enum(['http', 'https']),
  authRequired: z.boolean(),
  anonymousPull: z.boolean(),
  /** Berth's CA (PEM) when the certificate comes from it. */
  caPem: z.string().nullable(),
  steps: z.array(SharingStep),
  warnings: z.array(z.string())
})
export type SharingInfo = z.infer<typeof SharingInfo>

export const EngineKind = z.object({
  /** native: the engine runs on this machine's own network; else where it runs. */
  kind: z.enum(['native', 'docker-desktop', 'colima', 'orbstack', 'rancher-desktop', 'podman-machine', 'lima', 'vm', 'remote']),
  /** The engine's own words that gave it away. */
  evidence: z.array(z.string()),
  /** Whether `localhost` in a `docker push` typed in a terminal is this machine (false: the VM's or the remote's). */
  sharesLocalhost: z.boolean()
})
export type EngineKind = z.infer<typeof EngineKind>

/** Each kind in a sentence: "runs in Docker Desktop", "in a virtual machine". */
export const ENGINE_KIND_NAMES: Record<EngineKind['kind'], string> = {
  native: 'an engine on this machine',
  'docker-desktop': 'Docker Desktop',
  colima: 'Colima',
  orbstack: 'OrbStack',
  'rancher-desktop': 'Rancher Desktop',
  'podman-machine': 'a Podman machine',
  lima: 'a Lima VM',
  vm: 'a virtual machine',
  remote: 'another host'
}

export const DoctorFix = z.object({
  id: z.string(),
  title: z.string(),
  note: z.string().optional(),
  commands: z.array(z.string()),
  /** For a daemon.json fix: the file and its whole new content (merged with what exists). */
  file: z.object({ path: z.string(), content: z.string() }).optional()
})
export type DoctorFix = z.infer<typeof DoctorFix>

export const DoctorReport = z.object({
  registry: z.string(),
  /** Whether this engine will talk to the registry at that address. */
  ok: z.boolean(),
  /** What the registry answers there: plain HTTP, HTTPS (trusted by this engine or not), or nothing. */
  transport: z.enum(['http', 'https', 'unreachable']),
  insecure: z.boolean(),
  /** Where the engine would look for the CA (`certs.d`) and whether one is there. */
  certsDir: z.string(),
  caInstalled: z.boolean(),
  engine: EngineKind.nullable(),
  /** The error Docker would print, if it would fail. */
  dockerError: z.string().nullable(),
  reasons: z.array(z.string()),
  fixes: z.array(DoctorFix)
})
export type DoctorReport = z.infer<typeof DoctorReport>

export const ActivityEntry = z.object({
  time: z.string(),
  /** The account, or "anonymous". */
  account: z.string(),
  client: z.string(),
  method: z.string(),
  route: z.string(),
  repository: z.string(),
  reference: z.string(),
  status: z.number().int(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  durationMs: z.number()
})
export type ActivityEntry = z.infer<typeof ActivityEntry>

export const ActivityFilter = z
  .object({
    account: z.string().max(128).optional(),
    repository: z.string().max(256).optional(),
    /** An exact status (404) or a class ("4xx"). */
    status: z.union([z.number().int().min(100).max(599), z.enum(['2xx', '3xx', '4xx', '5xx'])]).optional(),
    limit: z.number().int().min(1).max(10_000).optional()
  })
  .strict()
export type ActivityFilter = z.infer<typeof ActivityFilter>

/** Whether an entry passes a filter: the access log's listing and the window's live view agree by using this one. */
export function activityMatches(entry: ActivityEntry, filter: ActivityFilter): boolean {
  if (filter.account !== undefined && entry.account !== filter.account) return false
  if (filter.repository !== undefined && entry.repository !== filter.repository) return false
  if (typeof filter.status === 'number' && entry.status !== filter.status) return false
  if (typeof filter.status === 'string' && String(entry.status)[0] !== filter.status[0]) return false
  return true
}
