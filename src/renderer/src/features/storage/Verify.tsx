import { ShieldCheck } from 'lucide-react'
import { Badge } from '../../components/Badge'
import { Button } from '../../components/Button'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Spinner } from '../../components/Spinner'
import { formatBytes, formatDuration, plural } from '../../lib/format'
import { useStorage, useStorageBusy } from '../../store/storage'
import { Card } from '../../components/Card'
import { OperationProgress } from './OperationProgress'
import { Outcome } from '../../components/Outcome'
import { VirtualTable } from './VirtualTable'

/** Re-hash every blob: corrupt or missing ones, and the tags they break. */
export function Verify() {
  const verified = useStorage((s) => s.verified)
  const verify = useStorage((s) => s.verify)
  const busy = useStorageBusy()
  const report = verified.result
  return (
    <Card id="storage-verify" title="Verify">
      <div className="flex items-center gap-2">
        <Button size="sm" onClick={() => void verify()} disabled={busy} icon={verified.running ? <Spinner className="size-3.5" /> : <ShieldCheck className="size-3.5" aria-hidden />}>
          {verified.running ? 'Verifying…' : 'Verify blobs'}
        </Button>
        <span className="text-[12px] text-subtle">Re-reads every blob and checks its digest; the registry keeps serving.</span>
      </div>
      {verified.running ? <OperationProgress operation="verify" label="Verify" /> : null}
      {verified.error ? <InlineError title="Verification failed" message={<Advice text={verified.error} />} /> : null}
      {report && report.problems.length === 0 ? (
        <Outcome tone="success" title={`Checked ${plural(report.checked, 'blob')} (${formatBytes(report.bytes)}): all intact`}>
          In {formatDuration(report.durationMs)}.
        </Outcome>
      ) : null}
      {report && report.problems.length > 0 ? (
        <div className="space-y-2">
          <InlineError
            title={`Checked ${plural(report.checked, 'blob')}: ${plural(report.problems.length, 'problem')}`}
            message={`${plural(new Set(report.problems.flatMap((p) => p.tags)).size, 'tag')} cannot be pulled whole. Push them again to repair the blobs, or delete them.`}
          />
          <VirtualTable
            label="Verification problems"
            rows={report.problems}
            rowKey={(p) => p.digest}
            grid="grid-cols-[minmax(0,1.2fr)_80px_minmax(0,1.6fr)]"
            columns={[
              { header: 'Blob', cell: (p) => <code title={p.digest}>{p.digest.slice(0, 19)}…</code> },
              { header: 'Problem', cell: (p) => <Badge tone={p.problem === 'corrupt' ? 'danger' : 'warning'}>{p.problem}</Badge> },
              { header: 'Breaks', cell: (p) => <span title={p.tags.join(', ')}>{p.tags.length ? p.tags.join(', ') : 'no tag (unreferenced)'}</span> }
            ]}
          />
        </div>
      ) : null}
    </Card>
  )
}
