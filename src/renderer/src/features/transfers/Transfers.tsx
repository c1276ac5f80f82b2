import { useMemo, useState } from 'react'
import { ArrowDownToLine, ArrowUpFromLine, ChevronDown, ChevronRight, CircleAlert, CircleCheck, X } from 'lucide-react'
import type { Transfer } from '@shared/model/docker'
import { Button, IconButton } from '../../components/Button'
import { Badge } from '../../components/Badge'
import { PanelHeader } from '../../components/Panel'
import { ProgressBar } from '../../components/ProgressBar'
import { Advice } from '../../components/Advice'
import { cn } from '../../lib/cn'
import { splitImageReference } from '@shared/reference'
import { formatBytes, shortDigest } from '../../lib/format'
import { useCatalog } from '../../store/catalog'
import { useTransfers } from '../../store/transfers'
import { transferSummary } from './transfer-summary'

const PHASE_TEXT: Record<Transfer['layers'][number]['phase'], string> = {
  waiting: 'waiting',
  uploading: 'uploading',
  mounted: 'mounted',
  exists: 'already there',
  downloading: 'downloading',
  verifying: 'verifying',
  extracting: 'extracting',
  done: 'done'
}

const STATE_TEXT: Record<Transfer['state'], string> = { running: 'Running', done: 'Done', error: 'Failed', cancelled: 'Cancelled' }

/** Which way it went: the engine's own push/pull, or Berth reading/writing the image through the engine's API. */
export function pathText(t: Pick<Transfer, 'kind' | 'path' | 'encoding'>): { label: string; title: string } {
  if (t.path === 'copy') return { label: 'registry to registry, no Docker', title: 'Berth copied it blob by blob between itself and the other registry: blobs it held already were skipped, the digest is the same' }
  if (t.path === 'engine')
    return t.kind === 'push'
      ? { label: 'docker push', title: 'The engine pushed it itself (it reaches the registry); layers gzip-compressed' }
      : { label: 'docker pull', title: 'The engine pulled it itself (it reaches the registry)' }
  return t.kind === 'push'
    ? { label: `by export, ${t.encoding ?? 'gzip'}`, title: `Berth read the image from the engine (docker save) and stored it, layers ${t.encoding ?? 'gzip'}: the engine cannot reach the registry, or the settings say so` }
    : { label: 'by load', title: 'Berth fed the image to the engine (docker load): the engine cannot reach the registry, or the settings say so' }
}

/** Pushes and pulls, newest first: overall percent, and per-layer bars while they run. */
export function Transfers() {
  const byId = useTransfers((s) => s.byId)
  const order = useTransfers((s) => s.order)
  const hidden = useTransfers((s) => s.hidden)
  const clearFinished = useTransfers((s) => s.clearFinished)
  const visible = useMemo(() => order.map((id) => byId[id]).filter((t): t is Transfer => !!t && !hidden[t.id]), [order, byId, hidden])
  const running = visible.filter((t) => t.state === 'running').length
  const finished = visible.length - running

  return (
    <section aria-labelledby="transfers-title" className={cn('flex shrink-0 flex-col border-t border-line', visible.length > 0 ? 'max-h-[55%] min-h-[120px]' : '')}>
      <PanelHeader id="transfers-title" title="Transfers" count={running > 0 ? `${running} running` : undefined}>
        {finished > 0 ? (
          <Button size="sm" variant="ghost" className="h-6 px-2" onClick={clearFinished}>
            Clear finished
          </Button>
        ) : null}
      </PanelHeader>
      {visible.length === 0 ? (
        <p className="px-3 py-3 text-[12px] text-subtle">Pushes and pulls show their progress here.</p>
      ) : (
        <ul aria-label="Transfers" className="min-h-0 flex-1 space-y-2 overflow-y-auto p-2">
          {visible.map((t) => (
            <TransferCard key={t.id} transfer={t} />
          ))}
        </ul>
      )}
    </section>
  )
}

export function TransferCard({ transfer: t }: { transfer: Transfer }) {
  const cancel = useTransfers((s) => s.cancel)
  const select = useCatalog((s) => s.select)
  const openReference = useCatalog((s) => s.openReference)
  const [expanded, setExpanded] = useState<boolean | null>(null)
  const showLayers = expanded ?? t.state === 'running'
  const copy = t.path === 'copy'
  const target = t.kind === 'push' && !copy ? splitImageReference(t.target) : null
  const title = copy ? `Copy ${t.source}` : t.kind === 'push' ? `Push ${t.source}` : `Pull ${t.source}`
  const tone = t.state === 'done' ? 'success' : t.state === 'error' ? 'danger' : t.state === 'cancelled' ? 'muted' : 'accent'
  const summary = transferSummary(t)

  return (
    <li aria-label={title} data-state={t.state} className="rounded-md border border-line bg-panel p-2.5">
      <div className="flex items-start gap-2">
        {t.kind === 'push' ? (
          <ArrowUpFromLine className="mt-0.5 size-3.5 shrink-0 text-muted" aria-hidden />
        ) : (
          <ArrowDownToLine className="mt-0.5 size-3.5 shrink-0 text-muted" aria-hidden />
        )}
        <div className="min-w-0 flex-1">
          <div className="truncate font-mono text-[12px] font-medium" title={t.source}>
            {t.source}
          </div>
          <div className="truncate text-[11px] text-subtle" title={t.target}>
            {t.kind === 'push' || copy ? `→ ${t.target}` : '→ Docker'}
          </div>
          <div aria-label={`Path: ${pathText(t).label}`} title={pathText(t).title} className="truncate text-[11px] text-subtle">
            {pathText(t).label}
          </div>
        </div>
        <Badge tone={t.state === 'done' ? 'success' : t.state === 'error' ? 'danger' : t.state === 'running' ? 'accent' : 'neutral'}>
          {t.state === 'done' ? <CircleCheck className="size-3" aria-hidden /> : t.state === 'error' ? <CircleAlert className="size-3" aria-hidden /> : null}
          {STATE_TEXT[t.state]}
        </Badge>
        {t.state === 'running' ? (
          <IconButton label={`Cancel ${t.kind} of ${t.source}`} size="xs" onClick={() => void cancel(t.id)}>
            <X className="size-3.5" aria-hidden />
          </IconButton>
        ) : null}
      </div>

      <div className="mt-2 flex items-center gap-2">
        <ProgressBar value={t.overall.percent} label={`${title}: overall progress`} tone={tone} running={t.state === 'running'} />
        <span className="w-9 shrink-0 text-right text-[12px] font-medium tabular-nums" aria-hidden>
          {Math.round(t.overall.percent)}%
        </span>
      </div>
      <div className="mt-1 flex items-center gap-2 text-[11px] text-subtle tabular-nums">
        {summary ? (
          // Each part whole: the column is narrow, so they wrap rather than cut.
          <span aria-label={`What moved: ${summary.join(' · ')}`} className="flex min-w-0 flex-wrap gap-x-1.5">
            {summary.map((part, i) => (
              <span key={part} className="whitespace-nowrap">
                {i > 0 ? <span aria-hidden>· </span> : null}
                {part}
              </span>
            ))}
          </span>
        ) : (
          <>
            <span>
              {t.overall.layers === 0 && t.state === 'done' ? 'nothing to transfer: already up to date' : `${t.overall.layersDone}/${t.overall.layers} layers`}
            </span>
            {t.overall.total > 0 ? (
              <span>
                {formatBytes(t.overall.current)} of {formatBytes(t.overall.total)}
              </span>
            ) : null}
          </>
        )}

        {t.layers.length > 0 ? (
          <button
            type="button"
            aria-expanded={showLayers}
            onClick={() => setExpanded(!showLayers)}
            className="ml-auto inline-flex items-center gap-0.5 rounded px-1 text-muted hover:bg-hover hover:text-fg"
          >
            {showLayers ? <ChevronDown className="size-3" aria-hidden /> : <ChevronRight className="size-3" aria-hidden />}
            Layers
          </button>
        ) : null}
      </div>

      {showLayers && t.layers.length > 0 ? (
        <ul aria-label="Layers" className="mt-2 space-y-1.5 border-t border-line pt-2">
          {t.layers.map((l) => {
            const pct = l.total ? (100 * l.current) / l.total : ['done', 'mounted', 'exists'].includes(l.phase) ? 100 : null
            return (
              <li key={l.id} aria-label={`Layer ${l.id.slice(0, 12)}: ${PHASE_TEXT[l.phase]}${l.size !== null ? `, ${formatBytes(l.size)}` : ''}`} className="grid grid-cols-[88px_1fr_76px_52px] items-center gap-2 text-[11px]">
                <code className="truncate text-muted">{l.id.slice(0, 12)}</code>
                <ProgressBar
                  size="sm"
                  value={pct}
                  label={`Layer ${l.id.slice(0, 12)}`}
                  tone={['done', 'mounted', 'exists'].includes(l.phase) ? 'success' : t.state === 'running' ? 'accent' : 'muted'}
                  running={t.state === 'running' && !['done', 'mounted', 'exists', 'waiting'].includes(l.phase)}
                />
                <span className="truncate text-right text-subtle">{PHASE_TEXT[l.phase]}</span>
                {/* What the registry stores for it (known once done), or nothing. */}
                <span className="truncate text-right text-subtle tabular-nums" title={l.size !== null ? `${l.size} bytes in the registry` : undefined}>
                  {l.size !== null ? formatBytes(l.size) : ''}
                </span>
              </li>
            )
          })}
        </ul>
      ) : null}

      {t.state === 'error' && t.error ? (
        <p role="alert" className="mt-2 rounded bg-danger-soft px-2 py-1.5 text-[12px] break-words">
          <Advice text={t.error.message} />
        </p>
      ) : null}
      {t.state === 'done' ? (
        <div className="mt-2 flex items-center gap-2 text-[11px] text-subtle">
          {t.digest ? <code title={t.digest}>{shortDigest(t.digest)}</code> : null}
          {target && target.tag ? (
            <Button
              size="sm"
              variant="ghost"
              className="ml-auto h-6 px-2"
              onClick={() => {
                select(target.repository)
                openReference(target.tag!)
              }}
            >
              Show {target.repository}:{target.tag}
            </Button>
          ) : null}
        </div>
      ) : null}
    </li>
  )
}
