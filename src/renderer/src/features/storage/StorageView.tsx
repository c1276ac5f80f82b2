import { useEffect } from 'react'
import { RefreshCw } from 'lucide-react'
import { Button, IconButton } from '../../components/Button'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { cn } from '../../lib/cn'
import { formatDate, formatRelative } from '../../lib/format'
import { useStorage } from '../../store/storage'
import { DataFolder } from './DataFolder'
import { ExportImport } from './ExportImport'
import { GarbageCollection } from './GarbageCollection'
import { RepositoryUsage } from './RepositoryUsage'
import { Policies } from './Policies'
import { Retention } from './Retention'
import { UsageSummary } from './UsageSummary'
import { Card } from '../../components/Card'
import { Verify } from './Verify'

/**
 * The storage view: what fills the data folder and what can be done about it (collect, retention,
 * delete, move, export/import, verify). It asks for the usage when it opens; catalog changes refresh it.
 */
export function StorageView() {
  const usage = useStorage((s) => s.usage)
  const status = useStorage((s) => s.status)
  const error = useStorage((s) => s.error)
  const refreshing = useStorage((s) => s.refreshing)
  const loadUsage = useStorage((s) => s.loadUsage)

  useEffect(() => {
    void loadUsage(true)
  }, [loadUsage])

  return (
    <main aria-label="Storage" className="min-h-0 flex-1 overflow-y-auto bg-canvas">
      <div className="mx-auto flex max-w-[1680px] flex-col gap-4 p-4">
        <div className="flex items-center gap-3">
          <div className="min-w-0">
            <h2 className="text-[15px] font-semibold">Storage</h2>
            <p className="truncate text-[12px] text-muted">
              What the registry keeps on disk, and how to make room.
              {usage ? <span title={formatDate(usage.computedAt)}> Measured {formatRelative(usage.computedAt)}.</span> : null}
            </p>
          </div>
          <IconButton label="Refresh usage" className="ml-auto" onClick={() => void loadUsage(true)} disabled={refreshing}>
            <RefreshCw className={cn('size-3.5', refreshing && 'animate-spin')} aria-hidden />
          </IconButton>
        </div>

        {error && status === 'ready' ? <InlineError title="Could not refresh the usage" message={<Advice text={error} />} /> : null}
        {status === 'error' && error ? (
          <InlineError title="Could not read what the data folder holds" message={<Advice text={error} />} action={<Button size="sm" onClick={() => void loadUsage(true)}>Try again</Button>} />
        ) : null}
        {status === 'loading' || status === 'idle' ? <LoadingUsage /> : null}
        {usage ? <UsageSummary usage={usage} /> : null}

        <div className="grid grid-cols-2 items-start gap-4 2xl:grid-cols-[minmax(0,1.2fr)_minmax(0,1fr)]">
          <div className="flex min-w-0 flex-col gap-4">
            {usage ? <RepositoryUsage repositories={usage.repositories} /> : status !== 'error' ? <LoadingRepositories /> : null}
            <Retention />
            <Policies />
            <Verify />
          </div>
          <div className="flex min-w-0 flex-col gap-4">
            <GarbageCollection usage={usage} />
            <DataFolder usage={usage} />
            <ExportImport />
          </div>
        </div>
      </div>
    </main>
  )
}

function LoadingRepositories() {
  return (
    <Card id="storage-repositories" title="Repositories">
      <div className="h-[168px] animate-pulse rounded-md bg-raised" aria-hidden />
      {Array.from({ length: 3 }, (_, i) => (
        <div key={i} className="flex items-center gap-3" aria-hidden>
          <div className="h-3 w-1/4 animate-pulse rounded bg-raised" />
          <div className="h-2 flex-1 animate-pulse rounded bg-raised" />
          <div className="h-3 w-16 animate-pulse rounded bg-raised" />
        </div>
      ))}
    </Card>
  )
}

function LoadingUsage() {
  return (
    <div role="status" aria-label="Loading storage usage" className="grid grid-cols-3 gap-3 xl:grid-cols-6">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="rounded-lg border border-line bg-panel px-3 py-2.5">
          <div className="h-2.5 w-1/2 animate-pulse rounded bg-raised" />
          <div className="mt-2 h-5 w-2/3 animate-pulse rounded bg-raised" />
          <div className="mt-2 h-2 w-3/4 animate-pulse rounded bg-raised" />
        </div>
      ))}
    </div>
  )
}
