import { z } from 'zod'
import { DigestString, Platform, RepositoryName, TagName } from './catalog'

// Storage ("volume") management: what fills the data folder, garbage collection, retention, moving
// and adopting folders, export/import for air-gapped machines, verification.

export const RepositoryUsage = z.object({
  name: z.string(),
  tagCount: z.number().int(),
  manifestCount: z.number().int(),
  untaggedCount: z.number().int(),
  /** Everything its tags reach (shared layers counted once inside the repository). */
  totalBytes: z.number(),
  /** The part of totalBytes no other repository reaches: what deleting the repository frees. */
  uniqueBytes: z.number(),
  /** totalBytes − uniqueBytes: layers it shares with other repositories. */
  sharedBytes: z.number(),
  lastPush: z.string().nullable()
})
export type RepositoryUsage = z.infer<typeof RepositoryUsage>

export const StorageUsage = z.object({
  dataDir: z.string(),
  /** Bytes of every file under the data folder's registry tree (blobs, links, uploads). */
  totalBytes: z.number(),
  blobs: z.object({ count: z.number().int(), bytes: z.number() }),
  manifests: z.object({ count: z.number().int(), untagged: z.number().int() }),
  /** Blobs no manifest of any repository references and nothing protects: what a collection frees now (the dry run's rule). */
  unreferenced: z.object({ count: z.number().int(), bytes: z.number() }),
  /** Unreferenced blobs a collection would keep for now (a client touched them moments ago; the dry run says why). */
  keptForNow: z.object({ count: z.number().int(), bytes: z.number() }).default({ count: 0, bytes: 0 }),
  uploads: z.object({ count: z.number().int(), bytes: z.number(), abandoned: z.number().int() }),
  volume: z.object({ freeBytes: z.number(), totalBytes: z.number() }),
  /** Free space under 10 % of the volume or under 2 GiB. */
  lowSpace: z.boolean(),
  repositories: z.array(RepositoryUsage),
  computedAt: z.string()
})
export type StorageUsage = z.infer<typeof StorageUsage>

export const GcOptions = z
  .object({
    /** List what would go, change nothing. */
    dryRun: z.boolean().default(false),
    /** Also delete manifests no tag reaches (Distribution's --delete-untagged). */
    untagged: z.boolean().default(false),
    /** With `untagged`: keep manifests whose subject is kept (signatures, SBOMs, attestations). */
    referrers: z.boolean().default(true)
  })
  .strict()
export type GcOptions = z.infer<typeof GcOptions>

export const GcItem = z.object({ digest: z.string(), bytes: z.number(), repositories: z.array(z.string()).optional() })

export const GcReport = z.object({
  dryRun: z.boolean(),
  marked: z.number().int(),
  /** Blobs (layers, configs, manifests) deleted, or that would be. */
  blobs: z.array(GcItem),
  /** Untagged manifest revisions removed, or that would be (with `untagged`). */
  manifests: z.array(GcItem),
  freedBytes: z.number(),
  /** Unreferenced blobs and untagged manifests kept for now: how many (see `kept` for each and why). */
  protected: z.number().int(),
  /** Each one kept although nothing reaches it, with what protects it (the blob guard's reason). */
  kept: z.array(GcItem.extend({ kind: z.enum(['blob', 'manifest']), reason: z.string() })).default([]),
  durationMs: z.number()
})
export type GcReport = z.infer<typeof GcReport>

export const StorageOperation = z.enum(['gc', 'move', 'export', 'import', 'verify', 'delete', 'policy'])

export const StorageProgress = z.object({
  operation: StorageOperation,
  phase: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  /** What is being worked on, for people ("sha256:ab12…", "team/app:1.2"). */
  item: z.string().optional(),
  finished: z.boolean().default(false)
})
export type StorageProgress = z.infer<typeof StorageProgress>

export const RetentionRule = z
  .object({
    /** Repositories the rule applies to: a glob (`team/*`, `*`); all when absent. */
    repositories: z.string().max(256).optional(),
    /** Tags it applies to: a glob (`pr-*`); all when absent. */
    tags: z.string().max(256).optional(),
    /** Keep the N most recently pushed matching tags per repository. */
    keepLast: z.number().int().min(0).max(100_000).optional(),
    /** Drop matching tags pushed before this time (ISO 8601). */
    olderThan: z.string().datetime({ offset: true }).optional()
  })
  .strict()
  .refine((r) => r.keepLast !== undefined || r.olderThan !== undefined, 'Say what to drop: keepLast, olderThan, or both.')
export type RetentionRule = z.infer<typeof RetentionRule>

export const RetentionCandidate = z.object({ repository: RepositoryName, tag: TagName, digest: DigestString, pushedAt: z.string() })
export type RetentionCandidate = z.infer<typeof RetentionCandidate>

export const DataFolder = z.object({
  dataDir: z.string(),
  /** True when it holds a Distribution tree (`docker/registry/v2`). */
  isRegistry: z.boolean(),
  repositories: z.number().int(),
  bytes: z.number()
})
export type DataFolder = z.infer<typeof DataFolder>

export const RegistryVolume = z.object({
  /** Docker volume name, or for a bind mount its host path. */
  name: z.string(),
  kind: z.enum(['volume', 'bind']),
  /** Where the data is on this machine; null when the engine is remote and the path is not here. */
  mountpoint: z.string().nullable(),
  /** Containers using it (running `registry:2` or another image), with their state. */
  containers: z.array(z.object({ id: z.string(), name: z.string(), image: z.string(), state: z.string() })),
  repositories: z.number().int().nullable()
})
export type RegistryVolume = z.infer<typeof RegistryVolume>

export const ExportFormat = z.enum(['oci', 'docker'])

export const ExportRequest = z
  .object({
    /** `repo:tag`, `repo@digest`, or a whole `repo`. */
    references: z.array(z.string().min(1).max(512)).min(1).max(10_000),
    /** Absolute path of the tar file to write (its folder must exist). */
    file: z.string().min(1),
    format: ExportFormat.default('oci'),
    /** Replace `file` if it exists (else an existing file is refused with CONFLICT, detail.exists). */
    overwrite: z.boolean().optional()
  })
  .strict()

export const ExportResult = z.object({
  file: z.string(),
  bytes: z.number(),
  format: ExportFormat,
  images: z.array(z.object({ repository: z.string(), tag: z.string().nullable(), digest: z.string() }))
})

export const ImportRequest = z
  .object({
    /** A `.tar` file (OCI archive or `docker save`) or an OCI image-layout folder, on this machine. */
    file: z.string().min(1),
    /** Put every image into this repository (tags kept); needed when the archive names none. */
    repository: RepositoryName.optional()
  })
  .strict()

export const ImportFormat = z.enum(['oci-layout', 'oci-archive', 'docker-archive'])

/**
 * Where one image of an archive would go, against what the registry holds now:
 * `new-repository`; `new-tag` in a repository that exists; `unchanged` (the tag already names this
 * image); `retag` (the tag names another image, `current`, and would move); `untagged` (named by
 * digest only: stored without a tag); `unnamed` (the archive names no repository: one must be given).
 */
export const ImportDestination = z.enum(['new-repository', 'new-tag', 'unchanged', 'retag', 'untagged', 'unnamed'])

export const ImportPreviewImage = z.object({
  repository: z.string().nullable(),
  tag: z.string().nullable(),
  /** The manifest's digest; null for a docker save archive (Berth writes its manifest at import). */
  digest: z.string().nullable(),
  /** The image's config digest (the image ID); null for a multi-platform index. */
  config: z.string().nullable(),
  /** A multi-platform index's platforms; empty for a single image. */
  platforms: z.array(Platform),
  destination: ImportDestination,
  /** The manifest the tag names now (for `retag` and `unchanged`). */
  current: z.string().nullable()
})

export const ImportPreview = z.object({
  file: z.string(),
  format: ImportFormat,
  /** The archive's size (a layout folder's: its blobs'). */
  bytes: z.number(),
  images: z.array(ImportPreviewImage),
  /** Some image has nowhere to go until a repository is given. */
  needsRepository: z.boolean()
})

export const ImportResult = z.object({
  format: ImportFormat,
  /** `tag` is null for an image the archive names only by digest (imported untagged). */
  images: z.array(z.object({ repository: z.string(), tag: z.string().nullable(), digest: z.string() })),
  blobs: z.number().int(),
  bytes: z.number()
})

export const VerifyProblem = z.object({
  digest: z.string(),
  problem: z.enum(['corrupt', 'missing']),
  /** Tags (`repo:tag`) whose images need this blob. */
  tags: z.array(z.string())
})

export const VerifyReport = z.object({
  checked: z.number().int(),
  bytes: z.number(),
  problems: z.array(VerifyProblem),
  durationMs: z.number()
})
export type VerifyReport = z.infer<typeof VerifyReport>

