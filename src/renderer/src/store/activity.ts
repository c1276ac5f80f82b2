import { create } from 'zustand'
import { activityMatches, type ActivityEntry, type ActivityFilter } from '@shared/model/sharing'
import { call, messageOf } from '../lib/client'

/** At most this many entries are kept on screen (the service's ring holds 5,000). */
export const ACTIVITY_LIMIT = 5000

export type ActivityFilterState = Pick<ActivityFilter, 'account' | 'repository' | 'status'>

interface ActivityState {
  /** Newest first. */
  entries: ActivityEntry[]
  status: 'idle' | 'loading' | 'ready' | 'error'
  error: string | null
  filter: ActivityFilterState
  /** Accounts and repositories seen since the view opened, filtered or not (what the filters offer). */
  seen: { accounts: string[]; repositories: string[] }
  load(): Promise<void>
  setFilter(patch: Partial<ActivityFilterState>): void
  /** An activity.entry event: in at the top when it passes the filter (no refetch). */
  append(entry: ActivityEntry): void
}

let seq = 0

/** `seen` with the accounts and repositories of `entries` added (the same object when none is new). */
function see(seen: ActivityState['seen'], entries: readonly ActivityEntry[]): ActivityState['seen'] {
  const accounts = new Set(seen.accounts)
  const repositories = new Set(seen.repositories)
  for (const e of entries) {
    accounts.add(e.account)
    if (e.repository) repositories.add(e.repository)
  }
  if (accounts.size === seen.accounts.length && repositories.size === seen.repositories.length) return seen
  return { accounts: [...accounts].sort(), repositories: [...repositories].sort() }
}

export const useActivity = create<ActivityState>()((set, get) => ({
  entries: [],
  status: 'idle',
  error: null,
  filter: {},
  seen: { accounts: [], repositories: [] },

  async load() {
    const mine = ++seq
    if (get().status !== 'ready') set({ status: 'loading' })
    try {
      const entries = await call('activity.list', { ...get().filter, limit: ACTIVITY_LIMIT })
      if (mine !== seq) return
      set((s) => ({ entries, status: 'ready', error: null, seen: see(s.seen, entries) }))
    } catch (err) {
      if (mine !== seq) return
      set({ status: get().status === 'ready' ? 'ready' : 'error', error: messageOf(err) })
    }
  },

  setFilter(patch) {
    const filter = { ...get().filter, ...patch }
    for (const key of Object.keys(filter) as (keyof ActivityFilterState)[]) if (filter[key] === undefined || filter[key] === '') delete filter[key]
    set({ filter })
    void get().load()
  },

  append(entry) {
    // Before the view first loads there is nothing to keep in step; an answer in flight already has it or will.
    if (get().status === 'idle') return
    const seen = see(get().seen, [entry])
    if (!activityMatches(entry, get().filter)) {
      if (seen !== get().seen) set({ seen })
      return
    }
    set((s) => ({ entries: [entry, ...s.entries].slice(0, ACTIVITY_LIMIT), seen }))
  }
}))
