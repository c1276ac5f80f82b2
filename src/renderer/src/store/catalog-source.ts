import type { ManifestDetail, RepositorySummary, TagSummary } from '@shared/model/catalog'
import { call } from '../lib/client'

/**
 * What a catalog store reads: this Berth's catalog, or another registry through remote.* — the same
 * shapes, so one set of views (repositories, tags, tag detail) shows either.
 */
export interface CatalogSource {
  kind: 'local' | 'remote'
  /** A remote's saved id (what remote.* methods take); null for this Berth. */
  registry: string | null
  /** How image references name it: `localhost:5000` for this Berth (from the registry status), the remote's address. */
  address: string | null
  repositories(): Promise<RepositoryPage>
  /** The next page after what repositories() or an earlier loadMore() answered, added to it. */
  loadMore(): Promise<RepositoryPage>
  /** A repository named by hand (for a registry without `_catalog`), kept in the list. */
  remember(name: string): RepositoryPage
  tags(repository: string): Promise<TagSummary[]>
  manifest(repository: string, reference: string): Promise<ManifestDetail>
  pullCommand(repository: string, reference: string): Promise<string>
}

export interface RepositoryPage {
  items: RepositorySummary[]
  total: number
  browse: 'catalog' | 'by-name'
  more: boolean
  note: string | null
}

const isDigest = (reference: string) => /^sha(256|512):/.test(reference)

export function localSource(limit: number): CatalogSource {
  const page = async (): Promise<RepositoryPage> => {
    const { items, total } = await call('catalog.repositories', { limit })
    return { items, total, browse: 'catalog', more: false, note: null }
  }
  return {
    kind: 'local',
    registry: null,
    address: null,
    repositories: page,
    loadMore: page,
    remember: () => {
      throw new Error('This Berth lists its repositories; nothing to name by hand.')
    },
    tags: (repository) => call('catalog.tags', { repository }),
    manifest: (repository, reference) => call('catalog.manifest', { repository, reference }),
    pullCommand: async (repository, reference) => (await call('catalog.pullCommand', { repository, reference })).command
  }
}

/** A registry lists names only: what the local list shows beside them (tags, sizes, last push) it does not say. */
const named = (name: string): RepositorySummary => ({ name, tagCount: 0, totalSize: 0, uniqueSize: 0, lastPush: null })

const REMOTE_PAGE = 1000

/** A saved registry (`registry`: its id) at `address`, browsed through remote.catalog|tags|manifest. */
export function remoteSource(registry: string, address: string): CatalogSource {
  let names: string[] = []
  let typed: string[] = []
  let next: string | null = null
  let browse: RepositoryPage['browse'] = 'catalog'
  let note: string | null = null
  const answer = (): RepositoryPage => {
    const all = [...new Set([...names, ...typed])]
    return { items: all.map(named), total: all.length, browse, more: next !== null, note }
  }
  const fetchPage = async (last?: string) => {
    const r = await call('remote.catalog', { registry, limit: REMOTE_PAGE, ...(last ? { last } : {}) })
    browse = r.browse
    note = r.message
    next = r.next
    names = last ? [...names, ...r.items.map((i) => i.name)] : r.items.map((i) => i.name)
    return answer()
  }
  return {
    kind: 'remote',
    registry,
    address,
    repositories: () => fetchPage(),
    loadMore: () => (next ? fetchPage(next) : Promise.resolve(answer())),
    remember(name) {
      if (!typed.includes(name)) typed = [name, ...typed]
      return answer()
    },
    // A registry does not say when a tag was pushed: '' reads as "—" and sorts together.
    tags: async (repository) => (await call('remote.tags', { registry, repository })).map((t) => ({ ...t, pushedAt: t.pushedAt ?? '' })),
    manifest: (repository, reference) => call('remote.manifest', { registry, repository, reference }),
    pullCommand: async (repository, reference) => `docker pull ${address}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`
  }
}
