import { ProgressBar } from '../../components/ProgressBar'
import { formatBytes } from '../../lib/format'
import { progressPercent, useStorage, type StorageOperation } from '../../store/storage'

/**
 * A running storage operation: a bar, its phase and count, and what it works on, from the
 * storage.progress events (indeterminate until the first one arrives).
 */
export function OperationProgress({ operation, label, bytes = false }: { operation: StorageOperation; label: string; bytes?: boolean }) {
  const p = useStorage((s) => s.progress[operation])
  const pct = progressPercent(p)
  const count = (n: number) => (bytes ? formatBytes(n) : n.toLocaleString())
  return (
    <div className="space-y-1" data-operation={operation}>
      <ProgressBar value={pct} label={`${label}${p ? `: ${p.phase}` : ''}`} running={!p?.finished} />
      <div className="flex items-center gap-2 text-[11px] text-muted tabular-nums" aria-live="polite">
        <span className="font-medium text-fg first-letter:uppercase">{p ? p.phase : 'Starting…'}</span>
        {p ? <span>{p.total !== null ? `${count(p.done)} of ${count(p.total)}` : count(p.done)}</span> : null}
        {pct !== null ? <span>{Math.round(pct)}%</span> : null}
        {p?.item ? (
          <code className="ml-auto min-w-0 truncate text-subtle" title={p.item}>
            {p.item}
          </code>
        ) : null}
      </div>
    </div>
  )
}
