import type { ManifestDetail } from '@shared/model/catalog'
import { EmptyState } from '../../../components/Panel'
import { cn } from '../../../lib/cn'
import { formatRelative } from '../../../lib/format'

/** How the image was built, step by step. */
export function HistoryTab({ data }: { data: ManifestDetail }) {
  const history = data.image?.history ?? []
  if (history.length === 0) return <EmptyState title="No history recorded" />
  return (
    <ol className="px-3 py-2">
      {history.map((h, i) => (
        <li key={i} className="grid grid-cols-[24px_minmax(0,1fr)_auto] gap-2 border-b border-line/70 py-1.5 text-[12px] last:border-0">
          <span className="text-subtle tabular-nums">{i + 1}</span>
          <code className={cn('break-all', h.emptyLayer && 'text-muted')} title={h.comment ?? undefined}>
            {(h.createdBy ?? '').replace(/^\/bin\/sh -c #\(nop\)\s+/, '') || '—'}
          </code>
          <span className="text-right whitespace-nowrap text-subtle">
            {h.emptyLayer ? 'no layer · ' : ''}
            {formatRelative(h.created)}
          </span>
        </li>
      ))}
    </ol>
  )
}
