// useVirtualizer cannot be memoized by the React Compiler; harmless here (ECOSYSTEM.md pitfall 5).
/* eslint-disable react-hooks/incompatible-library */
import { useEffect, useMemo } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import { ArrowDown, ArrowUp, History, RefreshCw } from 'lucide-react'
import type { ActivityEntry } from '@shared/model/sharing'
import { Button, IconButton } from '../../components/Button'
import { EmptyState, InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { StatusDot } from '../../components/Badge'
import { Select } from '../../components/Select'
import { cn } from '../../lib/cn'
import { fitColumns, type ColumnSpec } from '../../lib/fit-columns'
import { formatBytes, formatDate, formatDuration, shortDigest } from '../../lib/format'
import { textWidth, widestText } from '../../lib/measure-text'
import { useScrollerWidth } from '../../lib/use-width'
import { useActivity, type ActivityFilterState } from '../../store/activity'

const ROW = 30
const GAP = 8
const PADDING = 12
const HEADER = 'text-[11px] font-semibold tracking-wide uppercase'
const TEXT = 'text-[12px]'
const MONO = 'font-mono text-[12px]'
type Column = 'time' | 'account' | 'client' | 'method' | 'repository' | 'reference' | 'status' | 'bytes' | 'duration'
const HEADERS: [Column, string][] = [
  ['time', 'Time'],
  ['account', 'Account'],
  ['client', 'Client'],
  ['method', 'Method'],
  ['repository', 'Repository'],
  ['reference', 'Reference'],
  ['status', 'Status'],
  ['bytes', 'Bytes'],
  ['duration', 'Duration']
]

const STATUS_CLASSES: [string, string][] = [
  ['', 'Any status'],
  ['2xx', '2xx: done'],
  ['3xx', '3xx: redirected'],
  ['4xx', '4xx: refused (401: asked to log in)'],
  ['5xx', '5xx: failed']
]

/** Who pushed and pulled what: the registry's access log, live (activity.entry), filtered by account, repository and status. */
export function ActivityView() {
  const entries = useActivity((s) => s.entries)
  const status = useActivity((s) => s.status)
  const error = useActivity((s) => s.error)
  const filter = useActivity((s) => s.filter)
  const seen = useActivity((s) => s.seen)
  const load = useActivity((s) => s.load)
  const setFilter = useActivity((s) => s.setFilter)
  useEffect(() => {
    void load()
  }, [load])
  const filtered = Object.keys(filter).length > 0

  return (
    <main aria-label="Activity" className="flex min-h-0 flex-1 flex-col bg-canvas">
      <div className="flex shrink-0 items-end gap-3 border-b border-line bg-panel px-4 py-3">
        <div className="mr-auto min-w-0 flex-1">
          <h2 className="flex items-center gap-2 text-[15px] font-semibold">
            Activity
            <span className="inline-flex items-center gap-1.5 text-[11px] font-normal text-muted" title="New requests appear at the top as they finish">
              <StatusDot tone="success" pulse /> live
            </span>
          </h2>
          <p className="truncate text-[12px] text-muted" title="Every request to the registry port, newest first. Also in <data>/berth/logs/access.log.">Every request to the registry port, newest first: who pushed and pulled what. Also in &lt;data&gt;/berth/logs/access.log.</p>
        </div>
        <Select label="Account" value={filter.account ?? ''} onChange={(v) => setFilter({ account: v || undefined })} options={[['', 'Any account'], ...seen.accounts.map((a) => [a, a] as const)]} className="w-36" />
        <Select label="Repository" value={filter.repository ?? ''} onChange={(v) => setFilter({ repository: v || undefined })} options={[['', 'Any repository'], ...seen.repositories.map((r) => [r, r] as const)]} className="w-44" />
        <Select
          label="Status"
          value={typeof filter.status === 'string' ? filter.status : ''}
          onChange={(v) => setFilter({ status: (v || undefined) as ActivityFilterState['status'] })}
          options={STATUS_CLASSES}
          className="w-44"
        />
        {filtered ? (
          <Button size="sm" variant="ghost" onClick={() => setFilter({ account: undefined, repository: undefined, status: undefined })}>
            Clear filters
          </Button>
        ) : null}
        <IconButton label="Refresh activity" onClick={() => void load()}>
          <RefreshCw className="size-3.5" aria-hidden />
        </IconButton>
      </div>
      {status === 'error' && error ? (
        <InlineError className="m-4" title="Could not read the access log" message={<Advice text={error} />} action={<Button size="sm" onClick={() => void load()}>Try again</Button>} />
      ) : null}
      {status === 'loading' || status === 'idle' ? (
        <div role="status" aria-label="Loading activity" className="m-4 h-40 animate-pulse rounded-lg border border-line bg-panel" />
      ) : null}
      {status === 'ready' && entries.length === 0 ? (
        <EmptyState icon={<History className="size-6" />} title={filtered ? 'No request matches' : 'No requests yet'} className="flex-1">
          {filtered ? 'Nothing in the log passes these filters; new requests that do will appear here.' : 'Pushes and pulls by any client (docker, skopeo, podman, CI) appear here as they happen.'}
        </EmptyState>
      ) : null}
      {status === 'ready' && entries.length > 0 ? <ActivityTable entries={entries} /> : null}
    </main>
  )
}

/**
 * The columns fitted to the entries at the rows' width: times, methods, statuses and sizes whole;
 * account, client, repository and reference share the rest (cut short with a title); the client
 * goes first when even that does not fit.
 */
function activityColumns(entries: readonly ActivityEntry[], width: number) {
  const head = (c: Column) => textWidth(HEADERS.find(([id]) => id === c)![1], HEADER)
  const column = (id: Column, texts: string[], font: string, extra = 0): ColumnSpec<Column> => ({ id, natural: Math.max(head(id), widestText(texts, font) + extra) })
  const shrink = (spec: ColumnSpec<Column>, min: number, more: Partial<ColumnSpec<Column>> = {}): ColumnSpec<Column> => ({ ...spec, shrink: { min: Math.max(head(spec.id), min) }, ...more })
  return fitColumns(
    [
      column('time', entries.map((e) => timeOf(e.time)), TEXT),
      shrink(column('account', entries.map((e) => e.account), 'text-[12px] font-medium'), 56),
      shrink(column('client', entries.map((e) => e.client), MONO), 72, { drop: 1 }),
      column('method', entries.map((e) => e.method), MONO),
      shrink(column('repository', entries.map((e) => e.repository || e.route), MONO), 96, { grow: true }),
      shrink(column('reference', entries.map(referenceOf), MONO), 80),
      column('status', entries.map((e) => String(e.status)), TEXT),
      column('bytes', entries.map((e) => formatBytes(Math.max(e.bytesIn, e.bytesOut))), TEXT, 14),
      column('duration', entries.map((e) => formatDuration(e.durationMs)), TEXT)
    ],
    width,
    GAP
  )
}

const referenceOf = (e: ActivityEntry) => (/^sha(256|512):/.test(e.reference) ? shortDigest(e.reference) : e.reference || '—')

function ActivityTable({ entries }: { entries: readonly ActivityEntry[] }) {
  const [scrollRef, rowsRef, width] = useScrollerWidth()
  const columns = useMemo(() => activityColumns(entries, width - 2 * PADDING), [entries, width])
  const has = (c: Column) => columns.widths.has(c)
  const grid = { gridTemplateColumns: columns.template, columnGap: GAP, paddingInline: PADDING }
  const virtualizer = useVirtualizer({ count: entries.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 12 })
  return (
    <div role="table" aria-label="Requests" aria-rowcount={entries.length + 1} className="m-4 flex min-h-0 flex-1 flex-col overflow-hidden rounded-lg border border-line bg-panel">
      <div role="rowgroup" className="shrink-0">
        <div role="row" aria-rowindex={1} className={cn('grid h-8 items-center border-b border-line bg-raised whitespace-nowrap text-muted', HEADER)} style={grid}>
          {HEADERS.filter(([id]) => has(id)).map(([id, h]) => (
            <span role="columnheader" key={id} className={id === 'bytes' || id === 'duration' ? 'text-right' : undefined}>
              {h}
            </span>
          ))}
        </div>
      </div>
      <div ref={rowsRef} role="rowgroup" className="min-h-0 flex-1 overflow-y-auto">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const e = entries[v.index]
            return (
              <div
                role="row"
                key={`${entries.length - v.index}-${e.time}`}
                aria-rowindex={v.index + 2}
                className="absolute inset-x-0 grid items-center border-b border-line/60 text-[12px] tabular-nums"
                style={{ ...grid, height: v.size, transform: `translateY(${v.start}px)` }}
              >
                <Cell title={formatDate(e.time)}>{timeOf(e.time)}</Cell>
                <Cell title={e.account} className={e.account === 'anonymous' ? 'text-subtle' : 'font-medium'}>
                  {e.account}
                </Cell>
                {has('client') ? (
                  <Cell title={e.client} className="font-mono text-muted">
                    {e.client}
                  </Cell>
                ) : null}
                <Cell className="font-mono">{e.method}</Cell>
                <Cell title={e.repository || e.route} className="font-mono">
                  {e.repository || <span className="text-subtle">{e.route}</span>}
                </Cell>
                <Cell title={e.reference} className="font-mono text-muted">
                  {referenceOf(e)}
                </Cell>
                <Cell>
                  <span className={statusTone(e.status)}>{e.status}</span>
                </Cell>
                <Cell className="text-right" title={`received ${formatBytes(e.bytesIn)}, sent ${formatBytes(e.bytesOut)}`}>
                  <Bytes entry={e} />
                </Cell>
                <Cell className="text-right text-muted">{formatDuration(e.durationMs)}</Cell>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

function Cell({ children, title, className }: { children: React.ReactNode; title?: string; className?: string }) {
  return (
    <span role="cell" title={title} className={cn('min-w-0 truncate', className)}>
      {children}
    </span>
  )
}

/** What moved: received (a push) or sent (a pull), whichever is more. */
function Bytes({ entry }: { entry: ActivityEntry }) {
  if (entry.bytesIn === 0 && entry.bytesOut === 0) return <span className="text-subtle">—</span>
  const received = entry.bytesIn >= entry.bytesOut
  const Icon = received ? ArrowDown : ArrowUp
  return (
    <span className="inline-flex items-center gap-0.5">
      <Icon className="size-3 text-subtle" aria-label={received ? 'received' : 'sent'} />
      {formatBytes(received ? entry.bytesIn : entry.bytesOut)}
    </span>
  )
}

function statusTone(status: number): string {
  if (status >= 500) return 'font-medium text-danger'
  if (status >= 400) return 'font-medium text-warning'
  if (status >= 300) return 'text-muted'
  return 'text-success'
}

/** `14:03:22` today, with the date before on other days (the full date is the title). */
function timeOf(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`
}
