import { create } from 'zustand'

/** Which view fills the window under the header: the catalog (the main one), storage, remote registries, activity, sharing. */
export type View = 'catalog' | 'storage' | 'remotes' | 'activity' | 'sharing'

interface ViewState {
  view: View
  show(view: View): void
}

export const useView = create<ViewState>()((set) => ({
  view: 'catalog',
  show(view) {
    set({ view })
  }
}))
