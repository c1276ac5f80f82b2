import { create } from 'zustand'
import type { Transfer } from '@shared/model/docker'
import { splitImageReference } from '@shared/reference'
import { call, messageOf } from '../lib/client'
import { notify } from './notices'

/** A push being prepared in the confirmation dialog (from a drop, or the Push… button). */
export interface PushDraft {
  /** The image dropped or chosen; null asks for one (Push here… on a repository). */
  image: string | null
  /** The repository dropped on; null asks for one (a new repository, or the keyboard path). */
  repository: string | null
}

interface TransfersState {
  byId: Record<string, Transfer>
  /** Newest first. */
  order: string[]
  /** Finished transfers the user cleared from view. */
  hidden: Record<string, true>
  loading: boolean
  error: string | null
  draft: PushDraft | null
  openPush(draft: PushDraft): void
  closePush(): void
  load(): Promise<void>
  /** A progress event: goes straight in (no refetch). */
  upsert(transfer: Transfer): void
  push(input: { image: string; repository: string; tag: string }): Promise<{ transferId: string; reference: string }>
  pull(input: { repository: string; reference: string }): Promise<void>
  cancel(id: string): Promise<void>
  clearFinished(): void
}

/** The push running into `repository` (the newest), if any: until its manifest lands the repository has no tags, or does not exist yet. */
export function runningPushTo(byId: Record<string, Transfer>, repository: string): Transfer | null {
  let found: Transfer | null = null
  for (const t of Object.values(byId))
    if (t.kind === 'push' && t.state === 'running' && splitImageReference(t.target).repository === repository && (!found || t.startedAt > found.startedAt)) found = t
  return found
}

/** Earlier events can arrive after later ones (SSE replay, refetch racing events): never move a transfer backwards. */
function newer(prev: Transfer | undefined, next: Transfer): boolean {
  if (!prev) return true
  if (prev.state !== 'running' && next.state === 'running') return false
  return true
}

export const useTransfers = create<TransfersState>()((set, get) => ({
  byId: {},
  order: [],
  hidden: {},
  loading: false,
  error: null,
  draft: null,

  openPush(draft) {
    set({ draft })
  },

  closePush() {
    set({ draft: null })
  },

  async load() {
    set({ loading: true })
    try {
      const list = await call('transfers.list')
      set((s) => {
        const byId = { ...s.byId }
        for (const t of list) if (newer(byId[t.id], t)) byId[t.id] = t
        const known = new Set(list.map((t) => t.id))
        const order = [...list.map((t) => t.id), ...s.order.filter((id) => !known.has(id))]
        return { byId, order, loading: false, error: null }
      })
    } catch (err) {
      set({ loading: false, error: messageOf(err) })
    }
  },

  upsert(transfer) {
    set((s) => {
      if (!newer(s.byId[transfer.id], transfer)) return s
      return {
        byId: { ...s.byId, [transfer.id]: transfer },
        order: s.order.includes(transfer.id) ? s.order : [transfer.id, ...s.order]
      }
    })
  },

  async push(input) {
    return call('docker.push', input)
  },

  async pull(input) {
    try {
      await call('docker.pull', input)
    } catch (err) {
      notify({ kind: 'error', title: 'Pull did not start', message: messageOf(err) })
    }
  },

  async cancel(id) {
    try {
      await call('transfers.cancel', { id })
    } catch (err) {
      notify({ kind: 'error', title: 'Could not cancel the transfer', message: messageOf(err) })
    }
  },

  clearFinished() {
    const { byId, hidden } = get()
    const next = { ...hidden }
    for (const t of Object.values(byId)) if (t.state !== 'running') next[t.id] = true
    set({ hidden: next })
  }
}))
