import { createHash } from 'node:crypto'
import { parseDigest, type Digest, type DigestAlgorithm } from '@shared/reference'
import type { BlobStore } from './blobs'
import type { ChangeFeed } from './changes'
import { describeStored, mediaTypeOf, parseManifest, type Descriptor } from './manifest-json'
import type { RepositoryStore } from './repositories'
import { RepositoryBlobs } from './repository-blobs'

export class MissingReferencesError extends Error {
  constructor(readonly missing: { digest: string; kind: 'blob' | 'manifest' }[]) {
    super(`the manifest references ${missing.length === 1 ? 'content' : `${missing.length} items`} this repository does not hold`)
  }
}

export class DigestMismatchError extends Error {}

export interface StoredManifest {
  digest: Digest
  mediaType: string
  bytes: Buffer
}

interface Summary {
  mediaType: string
  size: number
  subject?: Descriptor
  artifactType?: string
  annotations?: Record<string, string>
}

const SUMMARY_CACHE_LIMIT = 50_000

export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return parseDigest(`${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`) as Digest
}

/** Manifests: stored as blobs, linked as revisions, named by tags; plus the referrers they form. */
export class ManifestStore {
  /** Manifests are immutable, so what we parsed of a digest stays true; bounded so memory stays flat. */
  private readonly summaries = new Map<string, Summary>()

  constructor(
    private readonly blobs: BlobStore,
    private readonly repos: RepositoryStore,
    private readonly feed: ChangeFeed
  ) {}

  /** Resolves a tag or digest to a manifest this repository holds. */
  async resolve(name: string, reference: string | Digest): Promise<Digest | null> {
    const digest = typeof reference === 'string' ? await this.repos.resolveTag(name, reference) : reference
    if (!digest) return null
    return (await this.repos.hasRevision(name, digest)) ? digest : null
  }

  async get(name: string, reference: string | Digest): Promise<StoredManifest | null> {
    const digest = await this.resolve(name, reference)
    if (!digest) return null
    const bytes = await this.blobs.readBytes(digest)
    if (!bytes) return null
    const summary = this.summarize(digest, bytes)
    return { digest, mediaType: summary?.mediaType ?? mediaTypeOf({}), bytes }
  }

  /**
   * Stores a manifest exactly as sent. Every blob (or child manifest) it references must already be in
   * the repository; the manifest blob is written first, then the revision link, then the tag, so a
   * crash never leaves a tag pointing at nothing.
   */
  async put(
    name: string,
    /** `tags`: more tags for the same manifest (a push by digest with `?tag=`), written like `tag`. */
    reference: { tag?: string; digest?: Digest; tags?: readonly string[] },
    bytes: Buffer,
    contentType: string | undefined
  ): Promise<{ digest: Digest; subject?: Descriptor }> {
    const digest = digestOf(bytes, reference.digest?.algorithm ?? 'sha256')
    if (reference.digest && reference.digest.value !== digest.value)
      throw new DigestMismatchError(`the manifest's digest is ${digest.value}, not ${reference.digest.value}`)
    const parsed = parseManifest(bytes, contentType)

    const repository = new RepositoryBlobs(name, this.blobs, this.repos)
    const missing: { digest: string; kind: 'blob' | 'manifest' }[] = []
    const blobChecks = parsed.blobs.map(async (d) => {
      if ((await repository.stat(d)) === null) missing.push({ digest: d.value, kind: 'blob' })
    })
    const manifestChecks = parsed.manifests.map(async (d) => {
      if ((await repository.statManifest(d)) === null) missing.push({ digest: d.value, kind: 'manifest' })
    })
    await Promise.all([...blobChecks, ...manifestChecks])
    if (missing.length > 0) throw new MissingReferencesError(missing)

    await this.blobs.putBytes(digest, bytes)
    await this.repos.linkRevision(name, digest)
    const tags = [...(reference.tag ? [reference.tag] : []), ...(reference.tags ?? [])]
    for (const tag of tags) await this.repos.tag(name, tag, digest, { quiet: true })
    // Its references are now kept by reachability, no longer by the grace of a recent touch.
    this.blobs.guard.referencedBy([...parsed.blobs, ...parsed.manifests].map((d) => d.value))
    if (tags.length > 0) this.blobs.guard.referencedBy([digest.value])
    this.remember(digest, {
      mediaType: parsed.mediaType,
      size: bytes.length,
      subject: parsed.subject,
      artifactType: parsed.artifactType,
      annotations: parsed.annotations
    })
    this.feed.emit({ repository: name, action: 'push', reference: tags[0] ?? digest.value })
    return { digest, subject: parsed.subject }
  }

  /**
   * Stores a manifest before the blobs it names, as a pull-through cache must (Distribution's proxy
   * does the same): the bytes are parsed and content-addressed, the revision linked and the tag set,
   * but what it references arrives later, when a client asks for it.
   */
  async putAhead(name: string, tag: string | null, bytes: Buffer, contentType: string | undefined): Promise<Digest> {
    const parsed = parseManifest(bytes, contentType)
    const digest = digestOf(bytes)
    await this.blobs.putBytes(digest, bytes)
    await this.repos.linkRevision(name, digest)
    if (tag) await this.repos.tag(name, tag, digest, { quiet: true })
    this.remember(digest, { mediaType: parsed.mediaType, size: bytes.length, subject: parsed.subject, artifactType: parsed.artifactType, annotations: parsed.annotations })
    this.feed.emit({ repository: name, action: 'push', reference: tag ?? digest.value })
    return digest
  }

  /** Deletes a manifest revision and every tag pointing at it; false when the repository lacks it. */
  async delete(name: string, digest: Digest): Promise<boolean> {
    const tags = await this.repos.tagsPointingTo(name, digest)
    const had = await this.repos.unlinkRevision(name, digest, { quiet: true })
    await Promise.all(tags.map((t) => this.repos.untag(name, t, { quiet: true })))
    const gone = had || tags.length > 0
    if (gone) this.feed.emit({ repository: name, action: 'delete', reference: digest.value })
    return gone
  }

  /** The manifests of `name` whose subject is `subject`, as descriptors for the referrers index. */
  async referrers(name: string, subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const out: Descriptor[] = []
    const revisions = await this.repos.revisions(name)
    await Promise.all(
      revisions.map(async (d) => {
        const s = await this.summaryOf(d)
        if (!s || s.subject?.digest !== subject.value) return
        if (artifactType !== undefined && s.artifactType !== artifactType) return
        const desc: Descriptor = { mediaType: s.mediaType, digest: d.value, size: s.size }
        if (s.artifactType) desc.artifactType = s.artifactType
        if (s.annotations && Object.keys(s.annotations).length > 0) desc.annotations = s.annotations
        out.push(desc)
      })
    )
    return out.sort((a, b) => (a.digest < b.digest ? -1 : 1))
  }

  private async summaryOf(digest: Digest): Promise<Summary | null> {
    const cached = this.summaries.get(digest.value)
    if (cached) return cached
    const bytes = await this.blobs.readBytes(digest)
    return bytes ? this.summarize(digest, bytes) : null
  }

  private summarize(digest: Digest, bytes: Buffer): Summary | null {
    const cached = this.summaries.get(digest.value)
    if (cached) return cached
    const described = describeStored(bytes)
    if (!described) return null
    const summary = { ...described, size: bytes.length }
    this.remember(digest, summary)
    return summary
  }

  private remember(digest: Digest, summary: Summary): void {
    if (this.summaries.size >= SUMMARY_CACHE_LIMIT) {
      const oldest = this.summaries.keys().next().value
      if (oldest !== undefined) this.summaries.delete(oldest)
    }
    this.summaries.set(digest.value, summary)
  }
}

