import { readdir, rmdir, stat } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'
import { parseDigest, type Digest } from '@shared/reference'
import type { ChangeFeed } from './changes'
import { paths, REPOSITORY_FOLDERS, type Layout } from './paths'
import { isNotFound, listDir, readLink, removeTree, statOrNull, writeFileAtomic } from './files'

export interface TagInfo {
  tag: string
  digest: Digest
  /** When the tag was last pointed at its manifest: the current link's modification time (works for folders other registries wrote). */
  pushedAt: Date
}

/** For the manifest store, which announces its own write once: a tag written as part of it. */
export interface Quiet {
  quiet?: boolean
}

/**
 * A repository's links: which blobs it may serve (`_layers`), which manifests it holds
 * (`_manifests/revisions`) and what its tags point at (`_manifests/tags`). Every write that
 * changes what a client sees is announced on the change feed.
 */
export class RepositoryStore {
  /**
   * Tag names per repository, valid while the tags folder's mtime is unchanged (a tag added or removed
   * changes it). Berth's own tag writes drop the entry; another process's changes are seen once the
   * entry was last checked more than a second ago (as for the catalog).
   */
  private readonly tagCache = new Map<string, { mtimeMs: number; ctimeMs: number; checkedAt: number; tags: readonly string[] }>()
  /** Bumped by every tag write, so a listing read before the write is never cached after it. */
  private readonly tagGeneration = new Map<string, number>()

  private tagsChanged(name: string): void {
    this.tagCache.delete(name)
    this.tagGeneration.set(name, (this.tagGeneration.get(name) ?? 0) + 1)
  }

  /** Links are written only into a registry tree that is there (see mkdirWithin). */
  private readonly inTree: { within: string }

  constructor(
    private readonly layout: Layout,
    private readonly feed: ChangeFeed
  ) {
    this.inTree = { within: layout.v2 }
  }

  async exists(name: string): Promise<boolean> {
    const [manifests, layers] = await Promise.all([
      statOrNull(paths.manifestsDir(this.layout, name)),
      statOrNull(paths.layersDir(this.layout, name))
    ])
    return Boolean(manifests?.isDirectory() || layers?.isDirectory())
  }

  private async linkMatches(path: string, digest: Digest): Promise<boolean> {
    const linked = await readLink(path)
    return linked?.value === digest.value
  }

  hasLayer(name: string, digest: Digest): Promise<boolean> {
    return this.linkMatches(paths.layerLink(this.layout, name, digest), digest)
  }

  hasRevision(name: string, digest: Digest): Promise<boolean> {
    return this.linkMatches(paths.revisionLink(this.layout, name, digest), digest)
  }

  /** A repository serves a blob it has a layer link for, or a manifest revision (as Distribution does). */
  async hasBlob(name: string, digest: Digest): Promise<boolean> {
    return (await this.hasLayer(name, digest)) || (await this.hasRevision(name, digest))
  }

  async linkLayer(name: string, digest: Digest): Promise<void> {
    if (await this.hasLayer(name, digest)) return
    await writeFileAtomic(paths.layerLink(this.layout, name, digest), digest.value, this.inTree)
    this.feed.emit({ repository: name, action: 'link', reference: digest.value })
  }

  /** Removes the layer link; true when there was one. */
  async unlinkLayer(name: string, digest: Digest, options: Quiet = {}): Promise<boolean> {
    if (!(await this.hasLayer(name, digest))) return false
    await removeTree(paths.layerLinkDir(this.layout, name, digest))
    if (!options.quiet) this.feed.emit({ repository: name, action: 'unlink', reference: digest.value })
    return true
  }

  /** Links a manifest revision; only the manifest store calls it, and announces the manifest itself. */
  async linkRevision(name: string, digest: Digest): Promise<void> {
    if (await this.hasRevision(name, digest)) return
    await writeFileAtomic(paths.revisionLink(this.layout, name, digest), digest.value, this.inTree)
  }

  /** Removes a manifest revision link (the collector's, or part of the manifest store's delete). */
  async unlinkRevision(name: string, digest: Digest, options: Quiet = {}): Promise<boolean> {
    if (!(await this.hasRevision(name, digest))) return false
    await removeTree(paths.revisionLinkDir(this.layout, name, digest))
    if (!options.quiet) this.feed.emit({ repository: name, action: 'delete', reference: digest.value })
    return true
  }

  /**
   * Deletes a whole repository: its tags, revision and layer links and uploads. Nested repositories
   * (`team` and `team/app`) share folders, so only this one's `_` folders go, then any folder left empty.
   * Blobs stay in the global store until a collection. Returns how many tags it had, or null if none such.
   */
  async deleteRepository(name: string): Promise<number | null> {
    if (!(await this.exists(name))) return null
    const tags = (await this.tags(name))?.length ?? 0
    const dir = paths.repo(this.layout, name)
    await Promise.all(REPOSITORY_FOLDERS.map((folder) => removeTree(paths.repoFolder(this.layout, name, folder))))
    this.tagsChanged(name)
    let current = dir
    while (current.startsWith(this.layout.repositories + sep) && current !== this.layout.repositories) {
      if ((await listDir(current)).length > 0) break
      await rmdir(current).catch(() => {})
      current = dirname(current)
    }
    this.feed.emit({ repository: name, action: 'delete-repository' })
    return tags
  }

  /** Every manifest digest of the repository that still has its link. */
  async revisions(name: string): Promise<Digest[]> {
    const out: Digest[] = []
    for (const candidate of await this.linkFolders(paths.revisionsDir(this.layout, name))) {
      const link = await readLink(paths.revisionLink(this.layout, name, candidate))
      if (link && link.value === candidate.value) out.push(link)
    }
    return out
  }

  async resolveTag(name: string, tag: string): Promise<Digest | null> {
    return readLink(paths.tagCurrentLink(this.layout, name, tag))
  }

  async tagInfo(name: string, tag: string): Promise<TagInfo | null> {
    const link = paths.tagCurrentLink(this.layout, name, tag)
    const [digest, st] = await Promise.all([readLink(link), statOrNull(link)])
    return digest && st ? { tag, digest, pushedAt: st.mtime } : null
  }

  /** Points a tag at a manifest: the index link first, then `current` (Distribution's order). */
  async tag(name: string, tag: string, digest: Digest, options: Quiet = {}): Promise<void> {
    const index = paths.tagIndexLink(this.layout, name, tag, digest)
    if (!(await this.linkMatches(index, digest))) await writeFileAtomic(index, digest.value, this.inTree)
    await writeFileAtomic(paths.tagCurrentLink(this.layout, name, tag), digest.value, this.inTree)
    this.tagsChanged(name)
    if (!options.quiet) this.feed.emit({ repository: name, action: 'tag', reference: tag })
  }

  async untag(name: string, tag: string, options: Quiet = {}): Promise<boolean> {
    const dir = paths.tagDir(this.layout, name, tag)
    if (!(await statOrNull(dir))) return false
    await removeTree(dir)
    this.tagsChanged(name)
    if (!options.quiet) this.feed.emit({ repository: name, action: 'untag', reference: tag })
    return true
  }

  /** Tag names, sorted; null when the repository does not exist. */
  async tags(name: string): Promise<readonly string[] | null> {
    const dir = paths.tagsDir(this.layout, name)
    const cached = this.tagCache.get(name)
    if (cached && performance.now() - cached.checkedAt < 1000) return cached.tags
    const generation = this.tagGeneration.get(name) ?? 0
    try {
      // One stat instead of a readdir while nothing changed: tag lists of thousands stay cheap.
      const st = await stat(dir)
      if (cached && cached.mtimeMs === st.mtimeMs && cached.ctimeMs === st.ctimeMs) {
        cached.checkedAt = performance.now()
        return cached.tags
      }
      const tags = (await readdir(dir)).sort()
      // A folder changed within the last 2 s may change again inside the same timestamp tick on coarse filesystems.
      if (Date.now() - st.mtimeMs > 2000 && generation === (this.tagGeneration.get(name) ?? 0)) {
        if (this.tagCache.size >= 10_000) this.tagCache.delete(this.tagCache.keys().next().value!)
        this.tagCache.set(name, { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, checkedAt: performance.now(), tags })
      }
      return tags
    } catch (err) {
      if (!isNotFound(err)) throw err
      this.tagCache.delete(name)
      return (await this.exists(name)) ? [] : null
    }
  }

  async tagsPointingTo(name: string, digest: Digest): Promise<string[]> {
    const tags = (await this.tags(name)) ?? []
    const targets = await Promise.all(tags.map((t) => this.resolveTag(name, t)))
    return tags.filter((_, i) => targets[i]?.value === digest.value)
  }

  linkedLayers(name: string): Promise<Digest[]> {
    return this.linkFolders(paths.layersDir(this.layout, name))
  }

  /** The digests named by the `<alg>/<hex>` folders below `root` (their link files unread). */
  private async linkFolders(root: string): Promise<Digest[]> {
    const out: Digest[] = []
    for (const algorithm of await listDir(root)) {
      for (const hex of await listDir(join(root, algorithm))) {
        const d = parseDigest(`${algorithm}:${hex}`)
        if (typeof d === 'object') out.push(d)
      }
    }
    return out
  }
}
