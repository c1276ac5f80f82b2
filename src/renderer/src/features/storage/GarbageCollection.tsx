import { useState } from 'react'
import { Eye, Recycle } from 'lucide-react'
import type { GcReport, StorageUsage } from '@shared/model/storage'
import { Button } from '../../components/Button'
import { ConfirmDialog } from '../../components/Dialog'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Spinner } from '../../components/Spinner'
import { formatBytes, formatDuration, plural, shortDigest } from '../../lib/format'
import { useStorage, useStorageBusy } from '../../store/storage'
import { Card } from '../../components/Card'
import { Checkbox } from '../../components/Checkbox'
import { OperationProgress } from './OperationProgress'
import { Outcome } from '../../components/Outcome'
import { VirtualTable } from './VirtualTable'

/** "4 blobs, 1 manifest" */
export function gcCounts(report: GcReport): string {
  const parts = [plural(report.blobs.length, 'blob')]
  if (report.manifests.length > 0) parts.push(plural(report.manifests.length, 'manifest'))
  return parts.join(', ')
}

interface Row {
  kind: 'Blob' | 'Manifest'
  digest: string
  bytes: number
  repositories?: string[]
}

/** Garbage collection: options, a dry run that lists what would go, Collect with a confirmation, progress, the result. */
export function GarbageCollection({ usage }: { usage: StorageUsage | null }) {
  const options = useStorage((s) => s.gcOptions)
  const setOptions = useStorage((s) => s.setGcOptions)
  const dryRun = useStorage((s) => s.dryRun)
  const gc = useStorage((s) => s.gc)
  const runDryRun = useStorage((s) => s.runDryRun)
  const collect = useStorage((s) => s.collect)
  const busy = useStorageBusy()
  const [confirming, setConfirming] = useState<GcReport | null>(null)

  const fresh = dryRun && dryRun.options.untagged === options.untagged && dryRun.options.referrers === options.referrers ? dryRun : null
  const askCollect = async () => {
    const report = fresh ?? (await runDryRun())
    if (report) setConfirming(report)
  }

  return (
    <Card id="storage-gc" title="Garbage collection">
      <p className="text-[12px] text-muted">
        Deletes blobs that no manifest references. The registry keeps serving meanwhile; blobs a client touched moments ago are kept.
        {usage && usage.unreferenced.count > 0 ? (
          <>
            {' '}
            Now: <strong className="font-medium text-fg tabular-nums">{formatBytes(usage.unreferenced.bytes)}</strong> in {plural(usage.unreferenced.count, 'unreferenced blob')}.
          </>
        ) : usage ? (
          <> No blob is unreferenced now{usage.manifests.untagged > 0 ? '; untagged manifests still hold theirs' : ''}.</>
        ) : null}
      </p>
      <div className="space-y-1.5">
        <Checkbox
          label="Also delete untagged manifests"
          hint={
            usage && usage.manifests.untagged > 0
              ? `${plural(usage.manifests.untagged, 'manifest')} with no tag, still pullable by digest until then.`
              : 'Images no tag points to (still pullable by digest).'
          }
          checked={options.untagged}
          onChange={(untagged) => setOptions({ untagged })}
          disabled={gc.running}
        />
        <Checkbox
          label="Keep referrers (signatures, SBOMs, attestations)"
          hint="Untagged manifests whose subject stays are kept."
          checked={options.referrers}
          onChange={(referrers) => setOptions({ referrers })}
          disabled={gc.running || !options.untagged}
        />
      </div>
      <div className="flex items-center gap-2">
        <Button
          size="sm"
          onClick={() => void runDryRun()}
          disabled={busy}
          icon={gc.running && gc.mode === 'dry-run' ? <Spinner className="size-3.5" /> : <Eye className="size-3.5" aria-hidden />}
        >
          Dry run
        </Button>
        <Button
          size="sm"
          variant="primary"
          onClick={() => void askCollect()}
          disabled={busy}
          icon={gc.running && gc.mode === 'collect' ? <Spinner className="size-3.5 text-accent-fg" /> : <Recycle className="size-3.5" aria-hidden />}
        >
          Collect…
        </Button>
        {gc.running ? <span className="text-[12px] text-muted">{gc.mode === 'dry-run' ? 'Looking for what would go…' : 'Collecting; the registry keeps serving.'}</span> : null}
      </div>

      {gc.running ? <OperationProgress operation="gc" label={gc.mode === 'dry-run' ? 'Dry run' : 'Garbage collection'} /> : null}
      {gc.error ? <InlineError title={gc.mode === 'dry-run' ? 'The dry run failed' : 'The collection failed'} message={<Advice text={gc.error} />} /> : null}

      {gc.result ? (
        <Outcome tone="success" title={`Freed ${formatBytes(gc.result.freedBytes)}: ${gcCounts(gc.result)}`}>
          Collected in {formatDuration(gc.result.durationMs)}
          {gc.result.protected > 0 ? `; ${plural(gc.result.protected, 'unreferenced item')} kept for now (below).` : '.'}
        </Outcome>
      ) : null}
      {gc.result && gc.result.kept.length > 0 ? <KeptList report={gc.result} /> : null}
      {fresh && !gc.running ? <DryRunReport report={fresh} /> : null}

      <ConfirmDialog
        open={confirming !== null}
        onOpenChange={(open) => {
          if (!open) setConfirming(null)
        }}
        title="Collect garbage?"
        confirmLabel="Collect"
        onConfirm={() => {
          setConfirming(null)
          void collect()
        }}
      >
        {confirming && confirming.blobs.length + confirming.manifests.length > 0 ? (
          <>
            <p>
              Deletes {gcCounts(confirming)} for good, freeing <strong className="font-semibold">{formatBytes(confirming.freedBytes)}</strong>.
            </p>
            <p className="text-muted">
              {confirming.manifests.length > 0 ? 'The untagged manifests can no longer be pulled by digest. ' : 'No tag and no manifest is touched. '}
              The registry keeps serving while it runs.
            </p>
          </>
        ) : (
          <p>The dry run found nothing to delete. A collection now changes nothing, unless something was deleted since.</p>
        )}
      </ConfirmDialog>
    </Card>
  )
}

function DryRunReport({ report }: { report: GcReport }) {
  const rows: Row[] = [...report.manifests.map((m) => ({ kind: 'Manifest' as const, ...m })), ...report.blobs.map((b) => ({ kind: 'Blob' as const, ...b }))]
  if (rows.length === 0)
    return (
      <Outcome tone="neutral" title="Dry run: nothing to collect">
        {report.protected > 0 ? `Nothing a collection may take now; ${plural(report.protected, 'unreferenced item')} would be kept, each for the reason below.` : 'Every blob is referenced.'}
        {report.kept.length > 0 ? <KeptList report={report} /> : null}
      </Outcome>
    )
  return (
    <div className="space-y-2">
      <Outcome tone="neutral" title={`Dry run: a collection would free ${formatBytes(report.freedBytes)}: ${gcCounts(report)}`}>
        Nothing was deleted. {report.protected > 0 ? `${plural(report.protected, 'unreferenced item')} would be kept (below). ` : ''}Checked {plural(report.marked, 'referenced blob')} in {formatDuration(report.durationMs)}.
      </Outcome>
      {report.kept.length > 0 ? <KeptList report={report} /> : null}
      <VirtualTable
        label="What a collection would delete"
        rows={rows}
        rowKey={(r) => `${r.kind}-${r.digest}`}
        grid="grid-cols-[72px_minmax(0,1fr)_72px_minmax(0,1fr)]"
        columns={[
          { header: 'Kind', cell: (r) => r.kind },
          { header: 'Digest', cell: (r) => <code title={r.digest}>{shortDigest(r.digest)}</code> },
          { header: 'Size', cell: (r) => formatBytes(r.bytes), className: 'text-right' },
          { header: 'Repositories', cell: (r) => <span className="text-muted">{r.repositories?.length ? r.repositories.join(', ') : '—'}</span> }
        ]}
      />
    </div>
  )
}

/** What is kept although nothing reaches it, and what protects each one. */
function KeptList({ report }: { report: GcReport }) {
  return (
    <ul aria-label="Kept for now" className="mt-1 space-y-0.5 text-[12px]">
      {report.kept.map((k) => (
        <li key={`${k.kind}-${k.digest}`} className="text-muted">
          <span className="text-fg">{k.kind === 'manifest' ? 'Manifest' : 'Blob'}</span> <code title={k.digest}>{shortDigest(k.digest)}</code> ({formatBytes(k.bytes)}): {k.reason}
        </li>
      ))}
    </ul>
  )
}
