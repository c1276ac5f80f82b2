import { z } from 'zod'
import { Platform } from './catalog'

// What is stored beside an image about it (OCI referrers, cosign's `sha256-<hex>.sig` tags and
// BuildKit attestation manifests): signatures, SBOMs and provenance, decoded for people. Nothing
// here is verified: a signature's identity is what its certificate claims, not what was checked.

export const ReferrerSource = z.enum([
  /** An OCI 1.1 referrer: a manifest whose `subject` is the image. */
  'subject',
  /** cosign's tag scheme: `sha256-<hex>.sig|.att|.sbom` in the same repository. */
  'tag',
  /** A BuildKit attestation manifest inside the image's index (`vnd.docker.reference.type: attestation-manifest`). */
  'buildkit'
])

export const SignatureSummary = z.object({
  format: z.enum(['cosign', 'notation', 'sigstore-bundle', 'unknown']),
  /** Who signed, as the certificate or envelope says (an e-mail, a URI, a subject DN); null for a bare key. */
  signer: z.string().nullable(),
  /** The OIDC issuer of a keyless (Fulcio) certificate, or the certificate's issuer DN. */
  issuer: z.string().nullable(),
  /** When, as recorded: Rekor's integrated time, notation's signing time, cosign's optional timestamp. */
  signedAt: z.string().nullable(),
  /** The digest the payload says was signed, and whether that is the image it is shown on. */
  signedDigest: z.string().nullable(),
  matchesSubject: z.boolean(),
  /** The reference the payload names (cosign's `docker-reference`). */
  reference: z.string().nullable(),
  /** The decoded payload, pretty-printed JSON (bounded). */
  payload: z.string().nullable(),
  /** Always false: Berth decodes, it does not verify. */
  verified: z.literal(false),
  /** Signature blobs or layers this manifest carries. */
  count: z.number().int()
})
export type SignatureSummary = z.infer<typeof SignatureSummary>

export const SbomSummary = z.object({
  format: z.enum(['spdx', 'cyclonedx']),
  specVersion: z.string().nullable(),
  name: z.string().nullable(),
  /** The tool that made it (`syft-1.2`, `buildkit`). */
  tool: z.string().nullable(),
  created: z.string().nullable(),
  /** Packages it lists (null when it could not be read). */
  packages: z.number().int().nullable(),
  /** The blob holding the document (a layer of the referrer), for catalog.sbom. */
  blob: z.string(),
  bytes: z.number()
})
export type SbomSummary = z.infer<typeof SbomSummary>

export const ProvenanceSummary = z.object({
  predicateType: z.string(),
  builder: z.string().nullable(),
  buildType: z.string().nullable(),
  /** Where it was built from: a repository URL (with its revision when known), a build context. */
  source: z.string().nullable(),
  revision: z.string().nullable(),
  startedOn: z.string().nullable(),
  finishedOn: z.string().nullable(),
  /** Inputs it names (base images, sources), at most a few dozen. */
  materials: z.array(z.string())
})
export type ProvenanceSummary = z.infer<typeof ProvenanceSummary>

const ReferrerBase = z.object({
  /** The manifest holding it. */
  digest: z.string(),
  mediaType: z.string(),
  artifactType: z.string().nullable(),
  size: z.number(),
  source: ReferrerSource,
  /** The manifest it is about: the image itself, or a platform of it. */
  subject: z.string(),
  /** For a platform of an index: which one. */
  platform: Platform.nullable(),
  /** The tag holding it (cosign's scheme), if any. */
  tag: z.string().nullable(),
  created: z.string().nullable(),
  /** Why it could not be read fully (too big, unreadable), for people; null when all went well. */
  problem: z.string().nullable()
})

export const Referrer = z.discriminatedUnion('kind', [
  ReferrerBase.extend({ kind: z.literal('signature'), signature: SignatureSummary }),
  ReferrerBase.extend({ kind: z.literal('sbom'), sbom: SbomSummary }),
  ReferrerBase.extend({ kind: z.literal('provenance'), provenance: ProvenanceSummary }),
  /** Another in-toto attestation, or an artifact Berth does not know. */
  ReferrerBase.extend({ kind: z.literal('other'), description: z.string() })
])
export type Referrer = z.infer<typeof Referrer>

export const ReferrersResult = z.object({
  repository: z.string(),
  digest: z.string(),
  items: z.array(Referrer),
  /** Manifests that would go with the image when deleted with its referrers (every item above, and theirs). */
  deletable: z.number().int()
})
export type ReferrersResult = z.infer<typeof ReferrersResult>

export const SbomPackage = z.object({
  name: z.string(),
  version: z.string().nullable(),
  licenses: z.array(z.string()),
  purl: z.string().nullable(),
  supplier: z.string().nullable()
})
export type SbomPackage = z.infer<typeof SbomPackage>

export const SbomPage = z.object({
  format: z.enum(['spdx', 'cyclonedx']),
  specVersion: z.string().nullable(),
  name: z.string().nullable(),
  /** Packages in the document (up to the cap) and how many match the filter. */
  total: z.number().int(),
  matching: z.number().int(),
  offset: z.number().int(),
  packages: z.array(SbomPackage),
  /** Licences by how many packages name them, most first (at most 20). */
  licenses: z.array(z.object({ license: z.string(), count: z.number().int() })),
  /** True when the document had more packages than Berth reads (the count says how many were read). */
  truncated: z.boolean()
})
export type SbomPage = z.infer<typeof SbomPage>

export const UntaggedManifest = z.object({
  digest: z.string(),
  mediaType: z.string(),
  kind: z.enum(['image', 'index', 'artifact']),
  artifactType: z.string().nullable(),
  /** What it reaches (manifest, config, layers; an index's children). */
  size: z.number(),
  created: z.string().nullable(),
  /** When its revision was linked (the link's modification time). */
  pushedAt: z.string().nullable(),
  platforms: z.array(Platform)
})
export type UntaggedManifest = z.infer<typeof UntaggedManifest>
