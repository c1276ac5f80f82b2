import { useEffect, useState } from 'react'
import { Server } from 'lucide-react'
import { Button } from '../../components/Button'
import { EmptyState, InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Spinner } from '../../components/Spinner'
import { CatalogScope } from '../../store/catalog'
import { remoteCatalog, useRemotes } from '../../store/remotes'
import { Transfers } from '../transfers/Transfers'
import { AddRegistryDialog } from './AddRegistryDialog'
import { ConnectionCard } from './ConnectionCard'
import { MirrorCard } from './MirrorCard'
import { RegistryPicker } from './RegistryPicker'
import { RemoteRepositories } from './RemoteRepositories'
import { RemoteRepository } from './RemoteRepository'

/**
 * Other registries, browsed as the local one is (the same tags table and tag detail, inside the
 * remote's CatalogScope) and copied to and from: registries and their repositories | the repository
 * open | how it answers, the pull-through cache and the transfers.
 */
export function RemotesView() {
  const saved = useRemotes((s) => s.saved)
  const status = useRemotes((s) => s.status)
  const error = useRemotes((s) => s.error)
  const selected = useRemotes((s) => s.selected)
  const load = useRemotes((s) => s.load)
  const [adding, setAdding] = useState(false)
  useEffect(() => {
    void load()
  }, [load])
  const registry = saved?.find((r) => r.id === selected) ?? null

  return (
    <div aria-label="Remote registries" className="grid min-h-0 flex-1 grid-cols-[240px_minmax(0,1fr)_288px] xl:grid-cols-[272px_minmax(0,1fr)_320px] 2xl:grid-cols-[320px_minmax(0,1fr)_380px]">
      <aside aria-label="Registries and repositories" className="flex min-h-0 flex-col border-r border-line bg-panel">
        <RegistryPicker onAdd={() => setAdding(true)} />
        {registry ? (
          <CatalogScope key={registry.id} store={remoteCatalog(registry)}>
            <RemoteRepositories />
          </CatalogScope>
        ) : null}
      </aside>
      {status === 'error' && error ? (
        <main aria-label="Remote repository" className="bg-canvas p-4">
          <InlineError title="Could not read the saved registries" message={<Advice text={error} />} action={<Button size="sm" onClick={() => void load()}>Try again</Button>} />
        </main>
      ) : registry ? (
        <CatalogScope key={registry.id} store={remoteCatalog(registry)}>
          <RemoteRepository />
        </CatalogScope>
      ) : (
        <main aria-label="Remote repository" className="flex min-h-0 flex-1 items-center justify-center bg-canvas">
          {status === 'ready' ? (
            <EmptyState icon={<Server className="size-6" />} title="No other registry yet">
              <p>Add your team’s registry (Distribution, Harbor, GHCR, Docker Hub…) to browse it here and copy images to and from it, without Docker.</p>
              <Button variant="primary" className="mt-3" onClick={() => setAdding(true)}>
                Add a registry…
              </Button>
            </EmptyState>
          ) : (
            <div role="status" className="flex items-center gap-2 text-muted">
              <Spinner /> Reading the saved registries…
            </div>
          )}
        </main>
      )}
      <aside aria-label="Connection and transfers" className="flex min-h-0 flex-col border-l border-line bg-panel">
        {registry ? <ConnectionCard registry={registry} /> : null}
        <MirrorCard />
        <div className="min-h-0 flex-1" />
        <Transfers />
      </aside>
      {adding ? <AddRegistryDialog onClose={() => setAdding(false)} /> : null}
    </div>
  )
}
