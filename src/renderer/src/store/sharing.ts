import { create } from 'zustand'
import type { Account, NetworkAddress, Role, SharingInfo } from '@shared/model/sharing'
import { call, messageOf } from '../lib/client'

/** Berth's CA as the window shows it (made by the service on first share; never asked for before). */
export interface CaCertificate {
  pem: string
  fingerprint: string
  path: string
}

interface SharingState {
  /** `idle` until the Sharing view first shows: nothing is asked for before. */
  status: 'idle' | 'loading' | 'ready' | 'error'
  error: string | null
  accounts: Account[] | null
  accountsError: string | null
  info: SharingInfo | null
  interfaces: NetworkAddress[] | null
  ca: CaCertificate | null
  load(): Promise<void>
  /** A registry.status event (a restart on a new address, an account added or removed): read again. */
  invalidate(): void
  addAccount(input: { name: string; role: Role; password: string }): Promise<void>
  removeAccount(name: string): Promise<void>
  changePassword(name: string, password: string): Promise<void>
}

const DEBOUNCE_MS = 150
let pending: ReturnType<typeof setTimeout> | undefined
let seq = 0

export const useSharing = create<SharingState>()((set, get) => ({
  status: 'idle',
  error: null,
  accounts: null,
  accountsError: null,
  info: null,
  interfaces: null,
  ca: null,

  async load() {
    const mine = ++seq
    if (get().status !== 'ready') set({ status: 'loading' })
    const [info, interfaces, accounts] = await Promise.allSettled([call('sharing.info'), call('sharing.interfaces'), call('users.list')])
    if (mine !== seq) return
    if (info.status === 'rejected') {
      set({ status: get().status === 'ready' ? 'ready' : 'error', error: messageOf(info.reason) })
      return
    }
    set({
      status: 'ready',
      error: null,
      info: info.value,
      interfaces: interfaces.status === 'fulfilled' ? interfaces.value : get().interfaces ?? [],
      accounts: accounts.status === 'fulfilled' ? accounts.value : get().accounts,
      accountsError: accounts.status === 'rejected' ? messageOf(accounts.reason) : null
    })
    // Only a registry served over HTTPS with Berth's own certificate has a CA to hand out.
    if (info.value.caPem) {
      try {
        const ca = await call('sharing.ca')
        if (mine === seq) set({ ca })
      } catch {
        // The steps still carry the PEM; the card shows it without its fingerprint.
      }
    } else set({ ca: null })
  },

  invalidate() {
    if (get().status === 'idle') return
    clearTimeout(pending)
    pending = setTimeout(() => void get().load(), DEBOUNCE_MS)
  },

  // The account calls answer nothing to refetch: users.add and users.remove announce a
  // registry.status (the account count is part of it), and that event reloads the list.
  async addAccount(input) {
    await call('users.add', input)
  },

  async removeAccount(name) {
    await call('users.remove', { name })
  },

  async changePassword(name, password) {
    await call('users.passwd', { name, password })
  }
}))
