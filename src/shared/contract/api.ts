import { z } from 'zod'
import { bindAddressProblem } from '../bind-address'
import { CatalogChange, DigestString, ManifestDetail, Reference, RepositoryName, RepositorySummary, TagName, TagSummary } from '../model/catalog'
import { EngineStatus, LocalImage, PortMapping, Transfer } from '../model/docker'
import { LayerEncodingSetting, ManifestFormatSetting, RegistryActivity, RegistryStatus, Settings, TransferPath } from '../model/registry'
import { CopyDirection, MirrorStatus, RegistryAddress, RemoteRepositories, RemoteTagSummary, RemoteTest, SavedRegistry } from '../model/remote'
import {
  DataFolder, ExportRequest, ExportResult, GcOptions, GcReport, ImportPreview, ImportRequest, ImportResult, RegistryVolume,
  RetentionCandidate, RetentionRule, StorageProgress, StorageUsage, VerifyReport
} from '../model/storage'
import { Account, AccountName, ActivityEntry, ActivityFilter, DoctorReport, NetworkAddress, Password, Role, SharingInfo } from '../model/sharing'
import { ReferrersResult, SbomPage, UntaggedManifest } from '../model/insight'
import { PolicyId, PolicyInput, PolicyRun, PolicyStatus } from '../model/policy'

/*
 * The contract: every method the renderer (or a script, over HTTP) may call and every event it may
 * receive, declared once. The preload, the IPC registration, the HTTP transport, its JSON Schema
 * listing and the renderer's client are all derived from these two objects: adding a method is one
 * entry here plus its implementation in the service (a missing implementation is a type error).
 */

function method<I extends z.ZodType, O extends z.ZodType>(doc: string, input: I, output: O) {
  return { doc, input, output }
}

const None = z.object({}).strict().optional()
/** A saved registry's id, or any registry's address (then credentials are the docker CLI's). */
// A saved registry's id (a UUID, which is also a valid host name) or its address.
const RegistryKey = RegistryAddress
const Ok = z.object({ ok: z.literal(true) })

/** A local image: a name[:tag] or an image id. */
const ImageRef = z.string().min(1).max(512).regex(/^[^\s]+$/, 'An image is a name such as app:1.2 or an image id.')

export const methods = {
  'registry.status': method('The registry: state, address, data folder, uptime.', None, RegistryStatus),
  'registry.start': method('Starts the registry with the saved settings.', None, RegistryStatus),
  'registry.stop': method('Stops the registry; uploads in progress keep their state on disk.', None, RegistryStatus),
  'registry.restart': method('Stops and starts the registry (to apply new settings).', None, RegistryStatus),
  'settings.get': method('Port, bind address, data folder, start on launch, start at login, how the window pushes and pulls.', None, Settings),
  'settings.update': method(
    'Changes settings (saved at once); a running registry restarts when its address or folder changes.',
    // A person picks a real port; 0 (any free one) is only what `berth serve --port 0` starts with.
    // The defaults are for loading; a patch that leaves a field out must leave it as it is.
    Settings.extend({
      port: z.number().int().min(1).max(65535),
      host: Settings.shape.host.superRefine((h, ctx) => {
        const problem = bindAddressProblem(h)
        if (problem) ctx.addIssue({ code: 'custom', message: problem })
      }),
      transferPath: TransferPath, layerEncoding: LayerEncodingSetting, manifestFormat: ManifestFormatSetting
    })
      .partial()
      .strict(),
    Settings
  ),

  'catalog.repositories': method(
    'Repositories with tag count, total and unique size and last push; filtered, paged.',
    z.object({ filter: z.string().max(256).optional(), offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(50_000).optional() }).strict().optional(),
    z.object({ total: z.number().int(), items: z.array(RepositorySummary) })
  ),
  'catalog.tags': method('The tags of a repository with digest, type, size, dates and platforms.', z.object({ repository: RepositoryName }).strict(), z.array(TagSummary)),
  'catalog.manifest': method(
    'One manifest in detail: layers, config (env, cmd, ports, labels, history) or an index’s children.',
    z.object({ repository: RepositoryName, reference: Reference }).strict(),
    ManifestDetail
  ),
  'catalog.deleteTag': method('Deletes a tag (the manifest stays if other tags or digests use it).', z.object({ repository: RepositoryName, tag: TagName }).strict(), Ok),
  'catalog.deleteManifest': method(
    'Deletes a manifest and every tag pointing at it (with referrers: its signatures, SBOMs and attestations too); layers are freed by garbage collection.',
    z.object({ repository: RepositoryName, digest: DigestString, referrers: z.boolean().optional() }).strict(),
    z.object({ ok: z.literal(true), tags: z.array(z.string()), referrers: z.array(z.string()).optional() })
  ),
  'catalog.retag': method(
    'Tags a manifest again, in the same or another repository (blobs are mounted, nothing is copied or pulled).',
    z.object({ repository: RepositoryName, reference: Reference, targetRepository: RepositoryName, targetTag: TagName }).strict(),
    z.object({ digest: z.string(), reference: z.string() })
  ),
  'catalog.pullCommand': method(
    'The `docker pull` command for a tag or digest of this registry.',
    z.object({ repository: RepositoryName, reference: Reference }).strict(),
    z.object({ command: z.string(), reference: z.string() })
  ),

  // Tags at scale, untagged manifests, and what is stored about an image (signatures, SBOMs, provenance).
  'catalog.deleteTags': method(
    'Deletes many tags of a repository, each on its own (a tag gone meanwhile is reported missing); manifests stay reachable by digest.',
    z.object({ repository: RepositoryName, tags: z.array(TagName).min(1).max(10_000) }).strict(),
    z.object({ deleted: z.array(z.string()), missing: z.array(z.string()) })
  ),
  'catalog.untagged': method(
    'The manifests of a repository no tag reaches (pullable by digest), signatures and attestations of present images left out.',
    z.object({ repository: RepositoryName }).strict(),
    z.array(UntaggedManifest)
  ),
  'catalog.referrers': method(
    'Signatures, SBOMs and provenance stored about a tag or digest (OCI referrers, cosign tags, BuildKit attestations), decoded; nothing is verified.',
    z.object({ repository: RepositoryName, reference: Reference }).strict(),
    ReferrersResult
  ),
  'catalog.sbom': method(
    'One page of an SBOM\'s packages (SPDX or CycloneDX), filtered by name, version, licence or purl.',
    z.object({
      repository: RepositoryName,
      referrer: DigestString,
      blob: DigestString.optional(),
      filter: z.string().max(256).optional(),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(500).optional()
    }).strict(),
    SbomPage
  ),

  'docker.status': method('The Docker engine: reachable or not and why, versions, where it was found.', None, EngineStatus),
  'docker.images': method(
    'Images in the local engine (dangling ones only when asked).',
    z.object({ includeDangling: z.boolean().optional() }).strict().optional(),
    z.array(LocalImage)
  ),
  'docker.tag': method(
    'Tags a local image for this registry: <registry>/<repository>:<tag>.',
    z.object({ image: ImageRef, repository: RepositoryName, tag: TagName }).strict(),
    z.object({ reference: z.string() })
  ),
  'docker.push': method(
    'Pushes a local image to a repository and tag of this registry; returns a transfer id at once.',
    z.object({ image: ImageRef, repository: RepositoryName, tag: TagName }).strict(),
    z.object({ transferId: z.string(), reference: z.string() })
  ),
  'docker.pull': method(
    'Pulls a tag of this registry into the engine; returns a transfer id at once.',
    z.object({ repository: RepositoryName, reference: Reference }).strict(),
    z.object({ transferId: z.string(), reference: z.string() })
  ),
  'docker.removeImage': method(
    'Removes a local image (or one of its tags).',
    z.object({ image: ImageRef, force: z.boolean().optional() }).strict(),
    z.object({ removed: z.array(z.string()) })
  ),
  'docker.run': method(
    'Runs a container from a registry image, like docker run -d -p 127.0.0.1:<host>:<container> <image> (ports on this machine only unless hostIp says otherwise).',
    z.object({
      repository: RepositoryName,
      reference: Reference,
      ports: z.array(PortMapping).max(32).default([]),
      name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'A container name is letters, digits, "_", "." and "-".').optional(),
      network: z.string().max(128).optional()
    }).strict(),
    z.object({ containerId: z.string(), name: z.string(), command: z.string() })
  ),
  'transfers.list': method('Push and pull transfers, running and finished.', None, z.array(Transfer)),
  'transfers.cancel': method('Cancels a running transfer.', z.object({ id: z.string().min(1) }).strict(), Ok),

  'storage.usage': method(
    'What fills the data folder: per repository unique and shared bytes, unreferenced blobs, uploads, free space.',
    z.object({ fresh: z.boolean().optional() }).strict().optional(),
    StorageUsage
  ),
  'storage.gc': method(
    'Garbage collection while the registry keeps serving: a dry run lists what would go; progress as storage.progress.',
    GcOptions.optional(),
    GcReport
  ),
  'storage.deleteRepository': method(
    'Deletes a whole repository (tags and links); its blobs go at the next collection, or at once with collect.',
    z.object({ repository: RepositoryName, collect: z.boolean().optional() }).strict(),
    z.object({ tags: z.number().int(), freedBytes: z.number() })
  ),
  'storage.retentionPreview': method(
    'The tags a retention rule would delete (keep the last N, older than a date, matching a pattern); deletes nothing.',
    RetentionRule,
    z.array(RetentionCandidate)
  ),
  'storage.retentionApply': method(
    'Deletes exactly the previewed tags (each only if it still points at the previewed digest).',
    z.object({ tags: z.array(RetentionCandidate).max(100_000) }).strict(),
    z.object({ deleted: z.number().int(), skipped: z.number().int() })
  ),
  'storage.inspectFolder': method(
    'Looks at a folder: does it hold Distribution data (a registry:2 volume), how many repositories, how big.',
    z.object({ dataDir: z.string().min(1) }).strict(),
    DataFolder
  ),
  'storage.open': method(
    'Switches the registry to an existing data folder (e.g. a registry:2 volume) or a new empty one.',
    z.object({ dataDir: z.string().min(1) }).strict(),
    DataFolder
  ),
  'storage.move': method(
    'Moves the data folder: the registry pauses, the copy is verified, then it switches; the old folder is kept.',
    z.object({ target: z.string().min(1) }).strict(),
    z.object({ from: z.string(), to: z.string(), bytes: z.number(), files: z.number().int() })
  ),
  'storage.dockerVolumes': method(
    'Docker volumes and bind mounts that hold registry data, and the registry:2 containers using them.',
    None,
    z.array(RegistryVolume)
  ),
  'storage.openVolume': method(
    'Switches the registry to a Docker volume (or bind mount) holding registry data, by name, where the engine is on this machine.',
    z.object({ name: z.string().min(1).max(4096) }).strict(),
    DataFolder
  ),
  'storage.export': method('Exports tags or repositories to one tar (OCI image layout, or docker save format).', ExportRequest, ExportResult),
  'storage.importPreview': method(
    'What an archive holds and where each image would go (new, re-tagged, already there), read without writing anything; the archive is streamed and only its index and manifests are kept.',
    ImportRequest,
    ImportPreview
  ),
  'storage.import': method('Imports an OCI archive or layout, or a docker save tarball, without Docker.', ImportRequest, ImportResult),
  'storage.verify': method('Re-hashes every blob; reports corrupt or missing ones and the tags they break.', None, VerifyReport),

  // Sharing: passwords go in, never come out.
  'users.list': method('The accounts of the data folder (<data>/berth/htpasswd) and their roles.', None, z.array(Account)),
  'users.add': method(
    'Adds an account: pull reads, push also pushes and tags, admin also deletes.',
    z.object({ name: AccountName, role: Role, password: Password }).strict(),
    Account
  ),
  'users.remove': method('Removes an account.', z.object({ name: AccountName }).strict(), Ok),
  'users.passwd': method('Sets a new password for an account.', z.object({ name: AccountName, password: Password }).strict(), Ok),
  'sharing.ca': method(
    'Berth\'s local CA certificate (PEM), made on first use: what another machine trusts to use the shared registry.',
    None,
    z.object({ pem: z.string(), fingerprint: z.string(), path: z.string() })
  ),
  'sharing.interfaces': method(
    'This machine\'s network addresses (not loopback, not link-local), each one the registry can be shared on alone.',
    None,
    z.array(NetworkAddress)
  ),
  'sharing.info': method('The exact steps for another machine: trust the CA, log in, pull, push, Swarm, Kubernetes.', None, SharingInfo),
  'docker.doctor': method(
    'Will the Docker engine talk to this registry address (insecure-registries, the CA, an engine in a VM); if not, why and the exact fix.',
    z.object({ registry: z.string().min(1).max(300).regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'A registry address is host:port, e.g. 192.168.1.20:5000.').optional() }).strict().optional(),
    DoctorReport
  ),
  'activity.list': method('Who pushed and pulled what: the registry\'s access log, newest first, filtered.', ActivityFilter.optional(), z.array(ActivityEntry)),

  // Storage policies: retention and collection saved, run on a schedule and on low disk.
  'policy.list': method('The saved storage policies, each with its last run and when it runs next.', None, z.array(PolicyStatus)),
  'policy.save': method('Saves a policy (a new id adds one, an existing id replaces it) in <data>/berth/policies.json.', PolicyInput, PolicyStatus),
  'policy.remove': method('Removes a policy and its last report.', z.object({ id: PolicyId }).strict(), Ok),
  'policy.run': method(
    'Runs a policy now (a dry run lists what it would drop and free); one storage operation at a time.',
    z.object({ id: PolicyId, dryRun: z.boolean().optional() }).strict(),
    PolicyRun
  ),

  'remote.list': method('Registries saved in Berth (address, TLS, user; never a password).', None, z.array(SavedRegistry)),
  'remote.add': method(
    'Saves a registry by address; a password given is kept by the OS keychain (berth serve: in memory for the session only).',
    z.object({ address: RegistryAddress, tlsVerify: z.boolean().optional(), username: z.string().min(1).max(256).optional(), password: z.string().min(1).max(8192).optional() }).strict(),
    SavedRegistry
  ),
  'remote.remove': method('Forgets a saved registry and its saved password.', z.object({ registry: RegistryKey }).strict(), Ok),
  'remote.test': method(
    'Tries a registry (saved, or address and credentials before saving): reachable, HTTPS or HTTP, auth, catalog; or why not and what to do.',
    z.union([
      z.object({ registry: RegistryKey }).strict(),
      z.object({ address: RegistryAddress, tlsVerify: z.boolean().optional(), username: z.string().min(1).max(256).optional(), password: z.string().min(1).max(8192).optional() }).strict()
    ]),
    RemoteTest
  ),
  'remote.catalog': method(
    'Repositories of another registry; registries without _catalog (Docker Hub, GHCR) answer browse "by-name".',
    z.object({ registry: RegistryKey, filter: z.string().max(256).optional(), last: z.string().max(512).optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
    RemoteRepositories
  ),
  'remote.tags': method('The tags of a repository of another registry, as catalog.tags.', z.object({ registry: RegistryKey, repository: RepositoryName }).strict(), z.array(RemoteTagSummary)),
  'remote.manifest': method(
    'One manifest of another registry in detail, as catalog.manifest.',
    z.object({ registry: RegistryKey, repository: RepositoryName, reference: Reference }).strict(),
    ManifestDetail
  ),
  'remote.copy': method(
    'Copies images from this Berth to a registry (push) or back (pull), without Docker, byte-identical; one transfer for all of them, progress as transfer.progress.',
    z.object({
      registry: RegistryKey,
      direction: CopyDirection,
      images: z.array(z.object({ repository: RepositoryName, reference: Reference, targetRepository: RepositoryName.optional(), targetTag: TagName.optional() }).strict()).min(1).max(1000),
      platform: z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, 'A platform is os/arch or os/arch/variant, e.g. linux/arm64.').optional(),
      all: z.boolean().optional()
    }).strict(),
    z.object({ transferId: z.string() })
  ),
  'remote.mirrorStatus': method(
    'The pull-through cache: upstreams, hits and misses, cached tags, budget, and the daemon.json line (Docker Hub only).',
    None,
    MirrorStatus
  )
}

export const events = {
  'registry.status': { doc: 'The registry changed state (stopped, starting, running, error).', payload: RegistryStatus },
  'registry.activity': { doc: 'Requests and bytes in/out since start, at most once a second.', payload: RegistryActivity },
  'catalog.changed': { doc: 'A repository changed: any client pushed, tagged or deleted.', payload: CatalogChange },
  'docker.status': { doc: 'The Docker engine became reachable or unreachable.', payload: EngineStatus },
  'docker.imagesChanged': {
    doc: "The engine's images changed (tag, untag, delete, pull, load, import), by anyone: refetch docker.images.",
    payload: z.object({ actions: z.array(z.string()) })
  },
  'transfer.progress': { doc: 'A push or pull progressed, per layer and overall; ends in done, error or cancelled.', payload: Transfer },
  'storage.progress': { doc: 'A storage operation (gc, move, export, import, verify) progressed; ends with finished.', payload: StorageProgress },
  'activity.entry': { doc: 'A request to the registry port finished (the access log, live).', payload: ActivityEntry },
  'policy.changed': {
    doc: 'A policy was saved, removed or ran (its report is in policy.list).',
    payload: z.object({ id: PolicyId, reason: z.enum(['saved', 'removed', 'ran']) })
  }
}
