import { mkdir } from 'node:fs/promises'
import { BlobStore } from './blobs'
import { CatalogIndex } from './catalog'
import { ManifestStore } from './manifest-store'
import { layoutOf, type Layout } from './paths'
import { RepositoryStore } from './repositories'
import { UploadStore } from './uploads'

export interface Storage {
  layout: Layout
  blobs: BlobStore
  repos: RepositoryStore
  uploads: UploadStore
  manifests: ManifestStore
  catalog: CatalogIndex
}

export interface StorageOptions {
  /** How stale the in-memory catalog may get before the tree is walked again (changes by other processes). */
  catalogMaxAgeMs?: number
}

/** Opens (creating if needed) a Distribution-layout data folder. */
export async function openStorage(dataDir: string, options: StorageOptions = {}): Promise<Storage> {
  const layout = layoutOf(dataDir)
  await mkdir(layout.repositories, { recursive: true })
  await mkdir(layout.blobs, { recursive: true })
  const blobs = new BlobStore(layout)
  const repos = new RepositoryStore(layout)
  return {
    layout,
    blobs,
    repos,
    uploads: new UploadStore(layout, blobs, repos),
    manifests: new ManifestStore(blobs, repos),
    catalog: new CatalogIndex(layout, options.catalogMaxAgeMs)
  }
}
