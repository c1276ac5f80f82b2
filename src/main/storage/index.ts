import { BlobStore } from './core/blobs'
import { CatalogIndex } from './core/catalog'
import { ChangeFeed } from './core/changes'
import { DiskSpace } from './core/free-space'
import type { Clock } from './core/guard'
import { BlobGuard } from './core/guard'
import { ManifestStore } from './core/manifests'
import { layoutOf, type Layout } from './core/paths'
import { RepositoryBlobs } from './core/repository-blobs'
import { RepositoryStore } from './core/repositories'
import { RootWatch } from './core/root-watch'
import { UploadStore } from './core/uploads'
import { Inspector } from './manage/inspect'
import { SizeIndex } from './manage/size-index'
import { makeDir } from './core/files'

/*
 * A data folder, opened. Three layers, each importing only the ones before it:
 *   core/     the store the registry needs: layout, blobs and their guard, links, uploads, manifests,
 *             the catalog index, and the change feed every write announces itself on;
 *   manage/   what a person does with a folder: inspect, sizes and usage, collect, retention,
 *             verify, open and move folders;
 *   archive/  images as files: export and import.
 */
export interface Storage {
  layout: Layout
  /** Every write to this folder, announced once (see core/changes.ts). */
  changes: ChangeFeed
  blobs: BlobStore
  repos: RepositoryStore
  uploads: UploadStore
  manifests: ManifestStore
  catalog: CatalogIndex
  /** What stored manifests and configs say, cached by digest. */
  inspector: Inspector
  /** Sizes per repository, kept fresh by the change feed. */
  sizes: SizeIndex
  /** One repository's view of the blobs: what it serves, and mounts from others. */
  repository(name: string): RepositoryBlobs
  /** Whether the folder opened is still there (moved, deleted, unmounted?): see core/root-watch.ts. */
  root: RootWatch
  /** The folder's disk: room before a write, and whether it is full. */
  disk: DiskSpace
}

export interface StorageOptions {
  /** How stale the in-memory catalog may get before the tree is walked again (changes by other processes). */
  catalogMaxAgeMs?: number
  /** Time for the blob guard (tests move it instead of waiting). */
  clock?: Clock
}

/** Opens (creating if needed) a Distribution-layout data folder. */
export async function openStorage(dataDir: string, options: StorageOptions = {}): Promise<Storage> {
  const layout = layoutOf(dataDir)
  await makeDir(layout.repositories)
  await makeDir(layout.blobs)
  const changes = new ChangeFeed()
  const blobs = new BlobStore(layout, new BlobGuard(undefined, options.clock))
  const repos = new RepositoryStore(layout, changes)
  const catalog = new CatalogIndex(layout, changes, options.catalogMaxAgeMs)
  const inspector = new Inspector(blobs)
  const root = new RootWatch(layout)
  await root.record()
  // The folder back (or another tree in its place): every cache of it may be stale.
  root.onChange((_problem, event) => {
    if (event === 'back') changes.emit({ repository: '', action: 'open' })
  })
  const storage: Storage = {
    layout,
    changes,
    blobs,
    repos,
    uploads: new UploadStore(layout, blobs, repos),
    manifests: new ManifestStore(blobs, repos, changes),
    catalog,
    inspector,
    sizes: new SizeIndex(repos, catalog, inspector, changes),
    repository: (name) => new RepositoryBlobs(name, blobs, repos),
    root,
    disk: new DiskSpace(dataDir)
  }
  return storage
}

export type { StorageChange } from './core/changes'
export type { Layout } from './core/paths'
export { isHiddenRepository, paths } from './core/paths'
export { UploadError } from './core/uploads'
export { BodyInterruptedError } from './core/body-writer'
export { StorageUnavailableError, type RootProblem } from './core/root-watch'
export { isDiskFull, megabytes, type DiskState } from './core/free-space'
export { DigestMismatchError, MissingReferencesError, digestOf } from './core/manifests'
export { ManifestError, MediaType, parseManifest, type Descriptor } from './core/manifest-json'
