import { create } from 'zustand'
import type { ApiInput } from '@shared/contract'
import type { PolicyRun, PolicyStatus } from '@shared/model/policy'
import { call, messageOf } from '../lib/client'

interface PoliciesState {
  items: PolicyStatus[] | null
  error: string | null
  /** The policy being run by hand, and the last run's answer or advice of each. */
  running: string | null
  runError: string | null
  load(): Promise<void>
  save(input: ApiInput<'policy.save'>): Promise<void>
  remove(id: string): Promise<void>
  run(id: string, dryRun: boolean): Promise<PolicyRun | null>
}

/** Storage policies: listed when the Storage view shows, refetched on policy.changed (never after our own calls). */
export const usePolicies = create<PoliciesState>()((set, get) => ({
  items: null,
  error: null,
  running: null,
  runError: null,
  async load() {
    try {
      set({ items: await call('policy.list'), error: null })
    } catch (err) {
      set({ error: messageOf(err) })
    }
  },
  async save(input) {
    await call('policy.save', input)
  },
  async remove(id) {
    await call('policy.remove', { id })
  },
  async run(id, dryRun) {
    if (get().running) return null
    set({ running: id, runError: null })
    try {
      return await call('policy.run', { id, dryRun })
    } catch (err) {
      set({ runError: messageOf(err) })
      return null
    } finally {
      set({ running: null })
    }
  }
}))
