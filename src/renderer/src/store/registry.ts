import { create } from 'zustand'
import type { RegistryActivity, RegistryStatus } from '@shared/model/registry'
import { call, messageOf, type ConnectionState } from '../lib/client'
import { notify } from './notices'

interface RegistryState {
  status: RegistryStatus | null
  activity: RegistryActivity | null
  loading: boolean
  /** Why the status could not be read (the service is unreachable). */
  error: string | null
  /** A start or stop asked for and not answered yet. */
  pending: 'start' | 'stop' | null
  /** The event stream to Berth's service (lost: the service went away or restarts). */
  connection: ConnectionState
  load(): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
  setStatus(status: RegistryStatus): void
  setActivity(activity: RegistryActivity): void
}

export const useRegistry = create<RegistryState>()((set, get) => ({
  status: null,
  activity: null,
  loading: false,
  error: null,
  pending: null,
  connection: 'connecting',

  async load() {
    set({ loading: true })
    try {
      const status = await call('registry.status')
      // After a reload the counter shows at once, not at the next change.
      set((s) => ({ status, error: null, loading: false, ...(status.activity && !s.activity ? { activity: status.activity } : {}) }))
    } catch (err) {
      set({ error: messageOf(err), loading: false })
    }
  },

  async start() {
    if (get().pending) return
    set({ pending: 'start' })
    try {
      set({ status: await call('registry.start') })
    } catch (err) {
      notify({ kind: 'error', title: 'The registry did not start', message: messageOf(err) })
      await get().load()
    } finally {
      set({ pending: null })
    }
  },

  async stop() {
    if (get().pending) return
    set({ pending: 'stop' })
    try {
      set({ status: await call('registry.stop'), activity: null })
    } catch (err) {
      notify({ kind: 'error', title: 'The registry did not stop', message: messageOf(err) })
      await get().load()
    } finally {
      set({ pending: null })
    }
  },

  setStatus(status) {
    set({ status, error: null, ...(status.state !== 'running' ? { activity: null } : {}) })
  },

  setActivity(activity) {
    set({ activity })
  }
}))
