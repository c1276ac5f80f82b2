import { z } from 'zod'
import { NAME_PATTERN, NAME_RULE, TAG_PATTERN, TAG_RULE, NAME_MAX_LENGTH } from '../reference'

export const RepositoryName = z
  .string()
  .max(NAME_MAX_LENGTH, `A repository name has at most ${NAME_MAX_LENGTH} characters.`)
  .regex(NAME_PATTERN, `A repository name is ${NAME_RULE}.`)
export const TagName = z.string().regex(TAG_PATTERN, `A tag is ${TAG_RULE}.`)
export const DigestString = z.string().regex(/^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/, 'A digest looks like sha256:<64 hex digits>.')
/** A tag or a digest. */
export const Reference = z.union([TagName, DigestString])

export const RepositorySummary = z.object({
  name: z.string(),
  tagCount: z.number().int(),
  /** Bytes of every blob and manifest its tags reach, shared layers counted once. */
  totalSize: z.number(),
  /** The part of totalSize no other repository uses (what deleting it would free). */
  uniqueSize: z.number(),
  lastPush: z.string().nullable()
})
export type RepositorySummary = z.infer<typeof RepositorySummary>

export const Platform = z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() })
export type Platform = z.infer<typeof Platform>

export const ManifestKind = z.enum(['image', 'index', 'artifact'])

export const TagSummary = z.object({
  tag: z.string(),
  digest: z.string(),
  mediaType: z.string(),
  kind: ManifestKind,
  /** Manifest + config + layers (for an index, all its children), shared bytes counted once. */
  size: z.number(),
  /** The image's build time (config `created`), when known. */
  created: z.string().nullable(),
  pushedAt: z.string(),
  /** For an index: its platforms, attestations excluded. */
  platforms: z.array(Platform),
  /** For an index: how many children are build attestations (BuildKit provenance / SBOM). */
  attestations: z.number().int()
})
export type TagSummary = z.infer<typeof TagSummary>

export const Descriptor = z.object({
  mediaType: z.string(),
  digest: z.string(),
  size: z.number(),
  annotations: z.record(z.string(), z.string()).optional()
})

export const ImageConfigSummary = z.object({
  os: z.string().nullable(),
  architecture: z.string().nullable(),
  variant: z.string().nullable(),
  created: z.string().nullable(),
  env: z.array(z.string()),
  cmd: z.array(z.string()).nullable(),
  entrypoint: z.array(z.string()).nullable(),
  workingDir: z.string().nullable(),
  user: z.string().nullable(),
  exposedPorts: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  history: z.array(z.object({ created: z.string().nullable(), createdBy: z.string().nullable(), emptyLayer: z.boolean(), comment: z.string().nullable() }))
})
export type ImageConfigSummary = z.infer<typeof ImageConfigSummary>

export const IndexChild = Descriptor.extend({
  platform: Platform.nullable(),
  /** BuildKit attestation manifests (`vnd.docker.reference.type: attestation-manifest`), never a platform. */
  attestation: z.boolean(),
  /** What the child reaches: its manifest, config and layers (null when its manifest is not stored). `size` is the manifest's own. */
  imageSize: z.number().nullable().optional()
})

export const ManifestDetail = z.object({
  repository: z.string(),
  digest: z.string(),
  mediaType: z.string(),
  kind: ManifestKind,
  size: z.number(),
  artifactType: z.string().nullable(),
  subject: Descriptor.nullable(),
  annotations: z.record(z.string(), z.string()),
  tags: z.array(z.string()),
  layers: z.array(Descriptor),
  config: Descriptor.nullable(),
  image: ImageConfigSummary.nullable(),
  children: z.array(IndexChild),
  /** The raw manifest JSON as stored. */
  raw: z.string()
})
export type ManifestDetail = z.infer<typeof ManifestDetail>

/**
 * A change to the stored images, as the storage's change feed reports it. `repository` is `''` when
 * it may concern every repository (a collection, another data folder opened). Actions: `link` and
 * `unlink` a blob (upload, mount, blob delete), `push` a manifest (reference: its tag or digest),
 * `tag`/`untag`, `delete` a manifest, `delete-repository`; and one per repository for the long
 * operations `import`, `retag`, `retention`, `collect`; `open` when the folder itself changed.
 */
export const CatalogChange = z.object({
  repository: z.string(),
  action: z.enum(['link', 'unlink', 'push', 'tag', 'untag', 'delete', 'delete-repository', 'retag', 'import', 'retention', 'collect', 'open']),
  reference: z.string().optional()
})
export type CatalogChange = z.infer<typeof CatalogChange>
