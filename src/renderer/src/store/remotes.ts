import { create, type StoreApi, type UseBoundStore } from 'zustand'
import type { MirrorStatus, RemoteTest, SavedRegistry } from '@shared/model/remote'
import type { Transfer } from '@shared/model/docker'
import { call, messageOf } from '../lib/client'
import { createCatalogStore, type CatalogState } from './catalog'
import { remoteSource } from './catalog-source'

export type CatalogStore = UseBoundStore<StoreApi<CatalogState>>

export interface RemoteDraft {
  address: string
  tlsVerify: boolean
  username?: string
  password?: string
}

interface RemotesState {
  saved: SavedRegistry[] | null
  status: 'idle' | 'loading' | 'ready' | 'error'
  error: string | null
  selected: string | null
  /** The last test of each saved registry, by id. */
  tests: Record<string, { result: RemoteTest | null; testing: boolean }>
  mirror: MirrorStatus | null
  mirrorError: string | null
  load(): Promise<void>
  select(id: string | null): void
  /** Tries an address before it is saved (the dialog shows why it fails and how to fix it). */
  tryAddress(draft: RemoteDraft): Promise<RemoteTest>
  add(draft: RemoteDraft): Promise<SavedRegistry>
  remove(id: string): Promise<void>
  test(id: string): Promise<void>
  loadMirror(): Promise<void>
  /** A copy to a registry finished: what it shows is read again (registries send no events). */
  onTransferDone(transfer: Transfer): void
}

const stores = new Map<string, CatalogStore>()

/** The catalog store of a saved registry: made once, kept while it is saved. */
export function remoteCatalog(registry: SavedRegistry): CatalogStore {
  let store = stores.get(registry.id)
  if (!store) {
    store = createCatalogStore(remoteSource(registry.id, registry.address))
    // No push dates to sort by: by name.
    store.setState({ sort: { key: 'tag', dir: 'asc' } })
    stores.set(registry.id, store)
  }
  return store
}

/** Forgets every remote's catalog (tests start afresh). */
export function resetRemoteCatalogs(): void {
  stores.clear()
}

const draftInput = (d: RemoteDraft) => ({
  address: d.address.trim(),
  tlsVerify: d.tlsVerify,
  ...(d.username ? { username: d.username } : {}),
  ...(d.username && d.password ? { password: d.password } : {})
})

export const useRemotes = create<RemotesState>()((set, get) => ({
  saved: null,
  status: 'idle',
  error: null,
  selected: null,
  tests: {},
  mirror: null,
  mirrorError: null,

  async load() {
    if (get().status !== 'ready') set({ status: 'loading' })
    try {
      const saved = await call('remote.list')
      set({ saved, status: 'ready', error: null })
      const { selected } = get()
      if (!saved.some((r) => r.id === selected)) get().select(saved[0]?.id ?? null)
    } catch (err) {
      set({ status: get().status === 'ready' ? 'ready' : 'error', error: messageOf(err) })
    }
  },

  select(id) {
    set({ selected: id })
    const registry = get().saved?.find((r) => r.id === id)
    if (!registry) return
    const store = remoteCatalog(registry)
    if (store.getState().status === 'idle') void store.getState().loadRepositories()
    if (!get().tests[registry.id]) void get().test(registry.id)
  },

  tryAddress: (draft) => call('remote.test', draftInput(draft)),

  async add(draft) {
    const entry = await call('remote.add', draftInput(draft))
    // remote.add announces nothing: its answer is the new entry (saving an address again replaces it).
    set((s) => ({ saved: [...(s.saved ?? []).filter((r) => r.id !== entry.id), entry] }))
    stores.delete(entry.id)
    set((s) => ({ tests: Object.fromEntries(Object.entries(s.tests).filter(([id]) => id !== entry.id)) }))
    get().select(entry.id)
    return entry
  },

  async remove(id) {
    await call('remote.remove', { registry: id })
    stores.delete(id)
    const saved = (get().saved ?? []).filter((r) => r.id !== id)
    set({ saved })
    if (get().selected === id) get().select(saved[0]?.id ?? null)
  },

  async test(id) {
    set((s) => ({ tests: { ...s.tests, [id]: { result: s.tests[id]?.result ?? null, testing: true } } }))
    try {
      const result = await call('remote.test', { registry: id })
      set((s) => ({ tests: { ...s.tests, [id]: { result, testing: false } } }))
    } catch (err) {
      const result: RemoteTest = { address: id, reachable: false, scheme: null, auth: null, catalog: null, problem: { code: 'REMOTE_FAILED', message: messageOf(err) } }
      set((s) => ({ tests: { ...s.tests, [id]: { result, testing: false } } }))
    }
  },

  async loadMirror() {
    try {
      set({ mirror: await call('remote.mirrorStatus'), mirrorError: null })
    } catch (err) {
      set({ mirrorError: messageOf(err) })
    }
  },

  onTransferDone(transfer) {
    if (transfer.path !== 'copy' || transfer.kind !== 'push') return
    const registry = get().saved?.find((r) => r.address === transfer.target)
    if (registry) stores.get(registry.id)?.getState().refresh()
  }
}))
