import { create } from 'zustand'
import type { Settings } from '@shared/model/registry'
import { call, messageOf } from '../lib/client'

interface SettingsState {
  settings: Settings | null
  loading: boolean
  error: string | null
  load(): Promise<void>
  /** Saves a change; rejects with the service's advice (the dialog shows it). */
  update(patch: Partial<Settings>): Promise<Settings>
}

export const useSettings = create<SettingsState>()((set) => ({
  settings: null,
  loading: false,
  error: null,

  async load() {
    set({ loading: true })
    try {
      set({ settings: await call('settings.get'), error: null, loading: false })
    } catch (err) {
      set({ error: messageOf(err), loading: false })
    }
  },

  async update(patch) {
    const settings = await call('settings.update', patch)
    set({ settings, error: null })
    return settings
  }
}))
