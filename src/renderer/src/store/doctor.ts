import { create } from 'zustand'
import type { DoctorReport } from '@shared/model/sharing'
import { call, messageOf } from '../lib/client'

interface DoctorState {
  /** What docker.doctor said about this engine and the registry's address; null before it answered. */
  report: DoctorReport | null
  checking: boolean
  error: string | null
  /** The registry address whose banner the person closed (it comes back for another address). */
  dismissed: string | null
  check(): Promise<void>
  /** The registry or the engine changed: ask again (debounced). */
  invalidate(): void
  dismiss(): void
}

const DEBOUNCE_MS = 400
let pending: ReturnType<typeof setTimeout> | undefined
let seq = 0

export const useDoctor = create<DoctorState>()((set, get) => ({
  report: null,
  checking: false,
  error: null,
  dismissed: null,

  async check() {
    const mine = ++seq
    set({ checking: true })
    try {
      const report = await call('docker.doctor')
      if (mine === seq) set({ report, checking: false, error: null })
    } catch (err) {
      // No engine, or it did not answer: nothing to say about it (the header says Docker is unreachable).
      if (mine === seq) set({ report: null, checking: false, error: messageOf(err) })
    }
  },

  invalidate() {
    clearTimeout(pending)
    pending = setTimeout(() => void get().check(), DEBOUNCE_MS)
  },

  dismiss() {
    set({ dismissed: get().report?.registry ?? null })
  }
}))

/** A VM engine (or another host): `localhost` typed in a terminal is not this machine. */
export const inVm = (report: DoctorReport | null): boolean => report?.engine?.sharesLocalhost === false
