import { create } from 'zustand'
import type { ApiInput, ApiOutput } from '@shared/contract'
import type { EngineStatus, LocalImage } from '@shared/model/docker'
import { call, ClientError, messageOf } from '../lib/client'
import { notify } from './notices'

interface ImagesState {
  engine: EngineStatus | null
  checking: boolean
  images: LocalImage[] | null
  loading: boolean
  error: string | null
  filter: string
  /** The image being dragged (drop targets light up while it is set). */
  dragging: string | null
  setDragging(image: string | null): void
  /** Asks the engine again (the "Check again" button); then lists images when it answers. */
  checkEngine(): Promise<void>
  load(): Promise<void>
  setEngine(status: EngineStatus): void
  setFilter(filter: string): void
  remove(image: string): Promise<void>
  /** Runs a container from a registry image; rejects with the service's advice. */
  run(input: ApiInput<'docker.run'>): Promise<ApiOutput<'docker.run'>>
}

export const useImages = create<ImagesState>()((set, get) => ({
  engine: null,
  checking: false,
  images: null,
  loading: false,
  error: null,
  filter: '',
  dragging: null,

  setDragging(dragging) {
    set({ dragging })
  },

  async checkEngine() {
    set({ checking: true })
    try {
      const engine = await call('docker.status')
      set({ engine, checking: false })
      if (engine.reachable) await get().load()
    } catch (err) {
      set({ checking: false, error: messageOf(err) })
    }
  },

  async load() {
    set({ loading: true })
    try {
      set({ images: await call('docker.images'), loading: false, error: null })
    } catch (err) {
      // An engine that went away is shown by its status, not as a list error.
      if (err instanceof ClientError && err.code === 'DOCKER_UNREACHABLE') {
        set({ loading: false, images: null, error: null })
        await call('docker.status').then((engine) => set({ engine }), () => {})
      } else set({ loading: false, error: messageOf(err) })
    }
  },

  setEngine(engine) {
    const was = get().engine?.reachable
    set({ engine })
    if (engine.reachable && !was) void get().load()
    if (!engine.reachable) set({ images: null })
  },

  setFilter(filter) {
    set({ filter })
  },

  async remove(image) {
    try {
      await call('docker.removeImage', { image })
      notify({ kind: 'success', title: `Removed ${image} from Docker` })
    } catch (err) {
      notify({ kind: 'error', title: `Docker did not remove ${image}`, message: messageOf(err) })
    }
    await get().load()
  },

  async run(input) {
    const out = await call('docker.run', input)
    void get().load()
    return out
  }
}))
