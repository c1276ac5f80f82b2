import { on, onConnection, type ConnectionState } from '../lib/client'
import { splitImageReference } from '@shared/reference'
import { useActivity } from './activity'
import { useCatalog } from './catalog'
import { useDoctor } from './doctor'
import { useImages } from './images'
import { usePolicies } from './policies'
import { useRegistry } from './registry'
import { useRemotes } from './remotes'
import { useSharing } from './sharing'
import { useSettings } from './settings'
import { useStorage } from './storage'
import { useTransfers } from './transfers'

/**
 * Wires the contract's events into the slices, once, and loads everything. Events invalidate and
 * queries refetch; transfer progress goes straight into its slice. After the event stream was lost
 * and came back, everything is refetched (events may have been missed). Returns the unbind.
 */
export function bindStores(onConnectionChange?: (state: ConnectionState) => void): () => void {
  const loadAll = () => {
    void useRegistry.getState().load()
    void useSettings.getState().load()
    void useCatalog.getState().loadRepositories()
    void useImages.getState().checkEngine()
    void useTransfers.getState().load()
    if (useStorage.getState().status !== 'idle') void useStorage.getState().loadUsage()
    // The views not shown yet load when they open; those seen already are read again.
    if (useSharing.getState().status !== 'idle') void useSharing.getState().load()
    if (useActivity.getState().status !== 'idle') void useActivity.getState().load()
    if (useRemotes.getState().status !== 'idle') void useRemotes.getState().load()
    useDoctor.getState().invalidate()
  }

  let wasLost = false
  const offs = [
    on('registry.status', (status) => {
      useRegistry.getState().setStatus(status)
      // A new address, TLS, an account more or less: what sharing shows and what the doctor says change.
      useSharing.getState().invalidate()
      useDoctor.getState().invalidate()
    }),
    on('activity.entry', (entry) => useActivity.getState().append(entry)),
    on('registry.activity', (activity) => useRegistry.getState().setActivity(activity)),
    on('catalog.changed', (change) => {
      useCatalog.getState().invalidate(change)
      // What the data folder holds changed too (debounced; only once the storage view was shown).
      useStorage.getState().invalidateUsage()
    }),
    on('storage.progress', (progress) => useStorage.getState().onProgress(progress)),
    on('policy.changed', () => {
      if (usePolicies.getState().items) void usePolicies.getState().load()
    }),
    on('docker.status', (status) => {
      useImages.getState().setEngine(status)
      useDoctor.getState().invalidate()
    }),
    // A `docker tag` in a terminal, a pull or rmi anywhere: the list follows the engine.
    on('docker.imagesChanged', () => void useImages.getState().load()),
    on('transfer.progress', (transfer) => {
      const before = useTransfers.getState().byId[transfer.id]
      useTransfers.getState().upsert(transfer)
      if (transfer.state === 'done' && before?.state !== 'done') {
        // A finished pull adds an image to the engine; a finished push tagged one.
        void useImages.getState().load()
        useRemotes.getState().onTransferDone(transfer)
        // A push into the repository on screen: show the tag it made.
        const target = transfer.kind === 'push' && transfer.path !== 'copy' ? splitImageReference(transfer.target) : null
        const catalog = useCatalog.getState()
        if (target?.tag && catalog.selected === target.repository) catalog.openReference(target.tag)
      }
    }),
    onConnection((state) => {
      onConnectionChange?.(state)
      if (state === 'lost') wasLost = true
      else if (state === 'open' && wasLost) {
        wasLost = false
        loadAll()
      }
    })
  ]
  loadAll()
  return () => {
    for (const off of offs) off()
  }
}
