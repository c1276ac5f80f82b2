import { createContext, createElement, useContext, type ReactNode } from 'react'
import { create, useStore, type StoreApi, type UseBoundStore } from 'zustand'
import type { CatalogChange, ManifestDetail, RepositorySummary, TagSummary } from '@shared/model/catalog'
import type { UntaggedManifest } from '@shared/model/insight'
import { call, ClientError, messageOf } from '../lib/client'
import { naturalCompare, versionCompare } from '../lib/order'
import { runningPushTo, useTransfers } from './transfers'
import { localSource, type CatalogSource } from './catalog-source'

export type { CatalogSource } from './catalog-source'

export type TagSortKey = 'tag' | 'version' | 'pushed' | 'created' | 'size'
export type RepoSortKey = 'name' | 'pushed' | 'size'
export interface RepoSort {
  key: RepoSortKey
  dir: 'asc' | 'desc'
}
export interface TagSort {
  key: TagSortKey
  dir: 'asc' | 'desc'
}

/** At most this many repositories are listed at once (the contract's page limit). */
export const REPOSITORY_PAGE = 50_000

export interface TagsView {
  repository: string
  items: TagSummary[] | null
  loading: boolean
  error: string | null
  /** The repository does not exist (yet: a first push into it may be under way). */
  missing?: boolean
}

export interface DetailView {
  repository: string
  reference: string
  /** When a platform of an index is open: the index's reference, to go back to. */
  parent: string | null
  data: ManifestDetail | null
  loading: boolean
  error: string | null
}

export interface UntaggedView {
  repository: string
  items: UntaggedManifest[] | null
  loading: boolean
  error: string | null
}

export interface CatalogState {
  /** Where the data comes from: this Berth, or a saved registry browsed the same way. */
  source: CatalogSource
  repositories: RepositorySummary[]
  /** `by-name`: the source cannot list its repositories (Docker Hub, GHCR): they are the names typed in. */
  browse: 'catalog' | 'by-name'
  /** The source has more repositories than listed (loadMore fetches the next page). */
  more: boolean
  /** What the source said about its listing (e.g. why it has no catalog). */
  note: string | null
  total: number
  /** `loading` only before the first answer; later refreshes keep the list on screen. */
  status: 'idle' | 'loading' | 'ready' | 'error'
  error: string | null
  filter: string
  selected: string | null
  tags: TagsView | null
  sort: TagSort
  detail: DetailView | null
  /** Tags at scale: a filter typed above the table, the tags ticked for a bulk delete, and the untagged manifests. */
  tagFilter: string
  checked: string[]
  tagsMode: 'tags' | 'untagged'
  untagged: UntaggedView | null
  /** Repositories at scale: their order, and as a flat list or a tree of namespaces (the ones opened). */
  repoSort: RepoSort
  repoView: 'list' | 'tree'
  expanded: string[]

  loadRepositories(): Promise<void>
  loadMore(): Promise<void>
  /** A repository named by hand (a source without a catalog): listed and opened. */
  openByName(name: string): void
  /** Everything on screen read again (a remote has no events: after a copy to it, or on demand). */
  refresh(): void
  setFilter(filter: string): void
  select(repository: string | null): void
  loadTags(repository: string): Promise<void>
  setSort(key: TagSortKey): void
  openReference(reference: string, parent?: string | null): void
  loadDetail(): Promise<void>
  back(): void
  /** A catalog.changed event (our own writes included: the change feed announces them): refetch what shows that repository. */
  invalidate(change: CatalogChange): void

  deleteTag(repository: string, tag: string): Promise<void>
  deleteManifest(repository: string, digest: string): Promise<string[]>
  retag(input: { repository: string; reference: string; targetRepository: string; targetTag: string }): Promise<{ reference: string }>
  pullCommand(repository: string, reference: string): Promise<string>

  setTagFilter(filter: string): void
  toggleChecked(tag: string): void
  setChecked(tags: string[]): void
  setTagsMode(mode: 'tags' | 'untagged'): void
  loadUntagged(repository: string): Promise<void>
  /** Deletes the ticked tags (each on its own); what went and what was already gone. */
  deleteTags(repository: string, tags: string[]): Promise<{ deleted: string[]; missing: string[] }>
  /** Deletes a manifest with its signatures, SBOMs and attestations. */
  deleteManifestWithReferrers(repository: string, digest: string): Promise<{ tags: string[]; referrers: string[] }>
  setRepoSort(key: RepoSortKey): void
  setRepoView(view: 'list' | 'tree'): void
  toggleExpanded(namespace: string): void
}

export function sortTags(items: readonly TagSummary[], sort: TagSort): TagSummary[] {
  const sign = sort.dir === 'asc' ? 1 : -1
  const by: Record<TagSortKey, (a: TagSummary, b: TagSummary) => number> = {
    tag: (a, b) => naturalCompare(a.tag, b.tag),
    version: (a, b) => versionCompare(a.tag, b.tag),
    pushed: (a, b) => (a.pushedAt < b.pushedAt ? -1 : a.pushedAt > b.pushedAt ? 1 : 0),
    created: (a, b) => (a.created ?? '').localeCompare(b.created ?? ''),
    size: (a, b) => a.size - b.size
  }
  const cmp = by[sort.key]
  return [...items].sort((a, b) => sign * cmp(a, b) || a.tag.localeCompare(b.tag))
}

/** Tags whose name (or digest) holds the filter, case-insensitive. */
export function filterTags(items: readonly TagSummary[], filter: string): readonly TagSummary[] {
  const needle = filter.trim().toLowerCase()
  return needle ? items.filter((t) => t.tag.toLowerCase().includes(needle) || t.digest.includes(needle)) : items
}

export function sortRepositories(items: readonly RepositorySummary[], sort: RepoSort): RepositorySummary[] {
  const sign = sort.dir === 'asc' ? 1 : -1
  const by: Record<RepoSortKey, (a: RepositorySummary, b: RepositorySummary) => number> = {
    name: (a, b) => naturalCompare(a.name, b.name),
    pushed: (a, b) => (a.lastPush ?? '').localeCompare(b.lastPush ?? ''),
    size: (a, b) => a.totalSize - b.totalSize
  }
  const cmp = by[sort.key]
  return [...items].sort((a, b) => sign * cmp(a, b) || naturalCompare(a.name, b.name))
}

export function filterRepositories(items: readonly RepositorySummary[], filter: string): readonly RepositorySummary[] {
  const needle = filter.trim().toLowerCase()
  return needle ? items.filter((r) => r.name.includes(needle)) : items
}

const DEBOUNCE_MS = 150

/** A catalog store over one source; the local one is `useCatalog`'s, a remote registry gets its own. */
export function createCatalogStore(source: CatalogSource): UseBoundStore<StoreApi<CatalogState>> {
  // Each store orders its own answers: a late answer of one never overwrites another's.
  let repoSeq = 0
  let tagSeq = 0
  let detailSeq = 0
  let pendingRepos: ReturnType<typeof setTimeout> | undefined
  const pendingTags = new Map<string, ReturnType<typeof setTimeout>>()
  return create<CatalogState>()((set, get) => ({
    source,
    repositories: [],
    browse: 'catalog',
    more: false,
    note: null,
    total: 0,
    status: 'idle',
    error: null,
    filter: '',
    selected: null,
    tags: null,
    sort: { key: 'pushed', dir: 'desc' },
    detail: null,
    tagFilter: '',
    checked: [],
    tagsMode: 'tags',
    untagged: null,
    repoSort: { key: 'name', dir: 'asc' },
    repoView: 'list',
    expanded: [],

    async loadRepositories() {
      const seq = ++repoSeq
      if (get().status !== 'ready') set({ status: 'loading' })
      try {
        const { items, total, browse, more, note } = await source.repositories()
        if (seq !== repoSeq) return
        set({ repositories: items, total, browse, more, note, status: 'ready', error: null })
        const { selected } = get()
        if (selected === null && items.length > 0) get().select(items[0].name)
        // A repository a push is creating stays selected while it does not exist yet.
        else if (selected !== null && !items.some((r) => r.name === selected) && !runningPushTo(useTransfers.getState().byId, selected)) get().select(items[0]?.name ?? null)
      } catch (err) {
        if (seq !== repoSeq) return
        set({ status: get().status === 'ready' ? 'ready' : 'error', error: messageOf(err) })
      }
    },

    async loadMore() {
      try {
        const { items, total, more } = await source.loadMore()
        set({ repositories: items, total, more })
      } catch (err) {
        set({ error: messageOf(err) })
      }
    },

    openByName(name) {
      const { items, total } = source.remember(name)
      set({ repositories: items, total, status: 'ready', error: null })
      get().select(name)
    },

    refresh() {
      void get().loadRepositories()
      const { selected } = get()
      if (selected) void get().loadTags(selected)
      if (get().detail) void get().loadDetail()
    },

    setFilter(filter) {
      set({ filter })
    },

    select(repository) {
      if (repository === get().selected && get().tags) return
      set({ selected: repository, detail: null, tags: repository ? { repository, items: null, loading: true, error: null } : null, tagFilter: '', checked: [], tagsMode: 'tags', untagged: null })
      if (repository) void get().loadTags(repository)
    },

    async loadTags(repository) {
      const seq = ++tagSeq
      set((s) => ({ tags: s.tags?.repository === repository ? { ...s.tags, loading: true } : { repository, items: null, loading: true, error: null } }))
      try {
        const items = await source.tags(repository)
        if (seq !== tagSeq || get().selected !== repository) return
        const names = new Set(items.map((t) => t.tag))
        set((st) => ({ tags: { repository, items, loading: false, error: null }, checked: st.checked.filter((t) => names.has(t)) }))
        // No tag left: its manifests may be (pullable by digest), which is not an empty repository. Only this Berth can list them.
        if (items.length === 0 && source.kind === 'local' && !get().untagged) void get().loadUntagged(repository)
        const { detail, sort } = get()
        const ref = detail?.parent ?? detail?.reference
        const stillThere = detail?.repository === repository && ref !== undefined && (/^sha(256|512):/.test(ref) || items.some((t) => t.tag === ref))
        if (!stillThere) {
          const first = sortTags(items, sort)[0]
          if (first) get().openReference(first.tag)
          else set({ detail: null })
        }
      } catch (err) {
        if (seq !== tagSeq || get().selected !== repository) return
        const missing = err instanceof ClientError && err.code === 'NOT_FOUND'
        set({ tags: { repository, items: missing ? null : (get().tags?.items ?? null), loading: false, error: messageOf(err), missing } })
      }
    },

    setSort(key) {
      set((s) => ({
        sort: s.sort.key === key ? { key, dir: s.sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'tag' ? 'asc' : 'desc' }
      }))
    },

    openReference(reference, parent = null) {
      const repository = get().selected
      if (!repository) return
      set({ detail: { repository, reference, parent, data: null, loading: true, error: null } })
      void get().loadDetail()
    },

    async loadDetail() {
      const d = get().detail
      if (!d) return
      const seq = ++detailSeq
      set({ detail: { ...d, loading: true } })
      try {
        const data = await source.manifest(d.repository, d.reference)
        if (seq !== detailSeq) return
        set((s) => (s.detail && s.detail.reference === d.reference ? { detail: { ...s.detail, data, loading: false, error: null } } : s))
      } catch (err) {
        if (seq !== detailSeq) return
        const gone = err instanceof ClientError && err.code === 'NOT_FOUND'
        set((s) =>
          s.detail && s.detail.reference === d.reference
            ? { detail: { ...s.detail, data: gone ? null : s.detail.data, loading: false, error: messageOf(err) } }
            : s
        )
      }
    },

    back() {
      const d = get().detail
      if (d?.parent) get().openReference(d.parent)
    },

    invalidate(change) {
      clearTimeout(pendingRepos)
      pendingRepos = setTimeout(() => void get().loadRepositories(), DEBOUNCE_MS)
      const { selected } = get()
      if (selected && (change.repository === selected || change.repository === '')) {
        clearTimeout(pendingTags.get(selected))
        pendingTags.set(
          selected,
          setTimeout(() => {
            pendingTags.delete(selected)
            if (get().selected !== selected) return
            void get().loadTags(selected)
            if (get().untagged) void get().loadUntagged(selected)
            if (get().detail) void get().loadDetail()
          }, DEBOUNCE_MS)
        )
      }
    },

    async deleteTag(repository, tag) {
      await call('catalog.deleteTag', { repository, tag })
      const d = get().detail
      if (d && d.repository === repository && (d.reference === tag || d.parent === tag)) set({ detail: null })
    },

    async deleteManifest(repository, digest) {
      const { tags } = await call('catalog.deleteManifest', { repository, digest })
      const d = get().detail
      if (d && d.repository === repository) set({ detail: null })
      return tags
    },

    async retag(input) {
      return call('catalog.retag', input)
    },

    async pullCommand(repository, reference) {
      return source.pullCommand(repository, reference)
    },

    setTagFilter(tagFilter) {
      set({ tagFilter })
    },
    toggleChecked(tag) {
      set((s) => ({ checked: s.checked.includes(tag) ? s.checked.filter((t) => t !== tag) : [...s.checked, tag] }))
    },
    setChecked(checked) {
      set({ checked })
    },
    setTagsMode(tagsMode) {
      set({ tagsMode })
      const repository = get().selected
      if (tagsMode === 'untagged' && repository) void get().loadUntagged(repository)
    },
    async loadUntagged(repository) {
      set((s) => ({ untagged: s.untagged?.repository === repository ? { ...s.untagged, loading: true } : { repository, items: null, loading: true, error: null } }))
      try {
        const items = await call('catalog.untagged', { repository })
        if (get().selected === repository) set({ untagged: { repository, items, loading: false, error: null } })
      } catch (err) {
        if (get().selected === repository) set((s) => ({ untagged: { repository, items: s.untagged?.items ?? null, loading: false, error: messageOf(err) } }))
      }
    },
    async deleteTags(repository, tags) {
      const result = await call('catalog.deleteTags', { repository, tags })
      const gone = new Set(result.deleted)
      set((s) => ({ checked: s.checked.filter((t) => !gone.has(t)) }))
      const d = get().detail
      if (d && d.repository === repository && (gone.has(d.reference) || (d.parent !== null && gone.has(d.parent)))) set({ detail: null })
      return result
    },
    async deleteManifestWithReferrers(repository, digest) {
      const { tags, referrers } = await call('catalog.deleteManifest', { repository, digest, referrers: true })
      const d = get().detail
      if (d && d.repository === repository) set({ detail: null })
      return { tags, referrers: referrers ?? [] }
    },
    setRepoSort(key) {
      set((s) => ({ repoSort: s.repoSort.key === key ? { key, dir: s.repoSort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'name' ? 'asc' : 'desc' } }))
    },
    setRepoView(repoView) {
      set({ repoView })
    },
    toggleExpanded(namespace) {
      set((s) => ({ expanded: s.expanded.includes(namespace) ? s.expanded.filter((n) => n !== namespace) : [...s.expanded, namespace] }))
    }
  }))
}

const local = createCatalogStore(localSource(REPOSITORY_PAGE))
const CatalogContext = createContext<UseBoundStore<StoreApi<CatalogState>> | null>(null)

/** Inside it, every catalog component (tags table, tag detail, platforms…) shows `store`'s source. */
export function CatalogScope({ store, children }: { store: UseBoundStore<StoreApi<CatalogState>>; children: ReactNode }) {
  return createElement(CatalogContext.Provider, { value: store }, children)
}

/**
 * The catalog in scope: the local registry's, or a remote's inside <CatalogScope>. Outside
 * components (bind.ts, tests) `useCatalog.getState()` is the local registry's, as before.
 */
export const useCatalog = Object.assign(
  function useCatalog<T>(selector: (s: CatalogState) => T): T {
    return useStore(useContext(CatalogContext) ?? local, selector)
  },
  { getState: local.getState, setState: local.setState, subscribe: local.subscribe, getInitialState: local.getInitialState }
)
