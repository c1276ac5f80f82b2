import { Tooltip } from 'radix-ui'
import { Toaster } from './components/Toaster'
import { RepositoryList } from './features/catalog/RepositoryList'
import { RepositoryView } from './features/catalog/RepositoryView'
import { LocalImages } from './features/images/LocalImages'
import { PushDialog } from './features/images/PushDialog'
import { RegistryHeader } from './features/registry/RegistryHeader'
import { RegistryBanner } from './features/registry/RegistryBanner'
import { Transfers } from './features/transfers/Transfers'
import { FileDropZone, ImportDialog } from './features/storage/ImportDialog'
import { StorageView } from './features/storage/StorageView'
import { ActivityView } from './features/activity/ActivityView'
import { DoctorBanner } from './features/doctor/DoctorBanner'
import { RemotesView } from './features/remotes/RemotesView'
import { SharingView } from './features/sharing/SharingView'
import { useView } from './store/view'
import { useGlobalShortcuts } from './lib/shortcuts'

/**
 * The window: registry bar on top; repositories | the selected repository | local images and
 * transfers. Three columns from 1024 px (the window's minimum) up, the sides narrower below 1280; the
 * middle one takes what is left. The header's view switch replaces the three columns with another
 * view (Storage, Remotes, Activity, Sharing). A `.tar` dropped anywhere is imported.
 */
export function App() {
  const view = useView((s) => s.view)
  useGlobalShortcuts()
  return (
    <Tooltip.Provider delayDuration={400} skipDelayDuration={200}>
      <FileDropZone className="flex h-full min-w-[1024px] flex-col">
        <RegistryHeader />
        <RegistryBanner />
        <DoctorBanner />
        {view === 'storage' ? (
          <StorageView />
        ) : view === 'remotes' ? (
          <RemotesView />
        ) : view === 'activity' ? (
          <ActivityView />
        ) : view === 'sharing' ? (
          <SharingView />
        ) : (
          <div className="grid min-h-0 flex-1 grid-cols-[240px_minmax(0,1fr)_288px] xl:grid-cols-[272px_minmax(0,1fr)_320px] 2xl:grid-cols-[320px_minmax(0,1fr)_380px]">
            <RepositoryList />
            <RepositoryView />
            <aside aria-label="Docker" className="flex min-h-0 flex-col border-l border-line bg-panel">
              <LocalImages />
              <Transfers />
            </aside>
          </div>
        )}
      </FileDropZone>
      <PushDialog />
      <ImportDialog />
      <Toaster />
    </Tooltip.Provider>
  )
}
