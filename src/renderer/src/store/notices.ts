import { create } from 'zustand'

/** Outcomes worth telling: every failed action lands here (never silent), and a few successes. */
export interface Notice {
  id: number
  kind: 'error' | 'success' | 'info'
  title: string
  message?: string
}

interface NoticesState {
  notices: Notice[]
  notify(notice: Omit<Notice, 'id'>): number
  dismiss(id: number): void
}

let nextId = 1

const SUCCESS_MS = 5000

export const useNotices = create<NoticesState>()((set, get) => ({
  notices: [],
  notify(notice) {
    const id = nextId++
    set((s) => ({ notices: [...s.notices.slice(-4), { ...notice, id }] }))
    // Errors stay until dismissed; the rest fade (timed here, not by the toast, which pauses while the window is unfocused).
    if (notice.kind !== 'error') setTimeout(() => get().dismiss(id), SUCCESS_MS)
    return id
  },
  dismiss(id) {
    set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }))
  }
}))

export const notify = (notice: Omit<Notice, 'id'>) => useNotices.getState().notify(notice)
