// useVirtualizer cannot be memoized by the React Compiler; harmless here (ECOSYSTEM.md pitfall 5).
/* eslint-disable react-hooks/incompatible-library */
import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import { ArrowDown, ArrowUp, ArrowUpDown, ShieldCheck } from 'lucide-react'
import type { TagSummary } from '@shared/model/catalog'
import { CopyButton } from '../../components/CopyButton'
import { Badge } from '../../components/Badge'
import { cn } from '../../lib/cn'
import { formatBytes, formatDate, formatPlatform, formatRelative } from '../../lib/format'
import { sortTags, useCatalog, type TagSortKey } from '../../store/catalog'

export const TAG_ROW_HEIGHT = 36
const ROW_HEIGHT = TAG_ROW_HEIGHT
const COLUMNS = 'grid-cols-[minmax(80px,1fr)_128px_minmax(120px,1.4fr)_64px_76px_76px]'

/** The selected repository's tags: virtualized, sortable by name, push date and size. */
export function TagsTable({ items }: { items: readonly TagSummary[] }) {
  const sort = useCatalog((s) => s.sort)
  const detail = useCatalog((s) => s.detail)
  const openReference = useCatalog((s) => s.openReference)
  const repository = useCatalog((s) => s.selected)
  const rows = useMemo(() => sortTags(items, sort), [items, sort])
  const current = detail?.parent ?? detail?.reference ?? null
  const selectedIndex = useMemo(() => rows.findIndex((t) => t.tag === current), [rows, current])

  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 })

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' })
  }, [selectedIndex, virtualizer])

  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 2)
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page }
    let next: number | null = null
    if (e.key in step) next = Math.max(0, Math.min(rows.length - 1, (selectedIndex < 0 ? -1 : selectedIndex) + step[e.key]))
    else if (e.key === 'Home') next = 0
    else if (e.key === 'End') next = rows.length - 1
    if (next === null || rows.length === 0) return
    e.preventDefault()
    openReference(rows[next].tag)
  }

  return (
    <div
      role="grid"
      aria-label={`Tags of ${repository ?? ''}`}
      aria-rowcount={rows.length + 1}
      aria-colcount={6}
      aria-activedescendant={selectedIndex >= 0 ? `tag-row-${selectedIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      className="flex min-h-0 flex-1 flex-col outline-none focus-visible:ring-2 focus-visible:ring-accent/40 focus-visible:ring-inset"
    >
      <div role="rowgroup" className="shrink-0 border-b border-line bg-canvas">
        <div role="row" aria-rowindex={1} className={cn('grid h-8 items-center gap-3 px-3 text-[11px] font-semibold tracking-wide text-muted uppercase', COLUMNS)}>
          <SortHeader label="Tag" sortKey="tag" />
          <div role="columnheader">Digest</div>
          <div role="columnheader">Platforms</div>
          <SortHeader label="Size" sortKey="size" align="right" />
          <div role="columnheader">Created</div>
          <SortHeader label="Pushed" sortKey="pushed" />
        </div>
      </div>
      <div ref={scrollRef} role="rowgroup" className="min-h-0 flex-1 overflow-y-auto">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const t = rows[v.index]
            const selected = v.index === selectedIndex
            return (
              <div
                key={t.tag}
                id={`tag-row-${v.index}`}
                role="row"
                aria-rowindex={v.index + 2}
                aria-selected={selected}
                aria-label={t.tag}
                data-tag={t.tag}
                onClick={() => openReference(t.tag)}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` }}
                className={cn(
                  'group grid items-center gap-3 border-b border-line/60 px-3',
                  COLUMNS,
                  selected ? 'bg-accent-soft' : 'hover:bg-hover'
                )}
              >
                <div role="gridcell" className={cn('truncate font-mono text-[12px] font-medium', selected && 'text-accent')} title={t.tag}>
                  {t.tag}
                </div>
                <div role="gridcell" className="flex min-w-0 items-center gap-0.5">
                  <code className="truncate text-[12px] text-muted" title={t.digest}>
                    {t.digest.replace(/^sha(256|512):/, '').slice(0, 12)}
                  </code>
                  <CopyButton text={t.digest} label={`Copy digest of ${t.tag}`} size="xs" tabIndex={-1} className="opacity-0 group-hover:opacity-100 focus-visible:opacity-100" />
                </div>
                <div role="gridcell" className="flex min-w-0 items-center gap-1 overflow-hidden">
                  <Platforms tag={t} />
                </div>
                <div role="gridcell" className="text-right text-[12px] tabular-nums">
                  {formatBytes(t.size)}
                </div>
                <div role="gridcell" className="truncate text-[12px] text-muted" title={formatDate(t.created)}>
                  {formatRelative(t.created)}
                </div>
                <div role="gridcell" className="truncate text-[12px] text-muted" title={formatDate(t.pushedAt)}>
                  {formatRelative(t.pushedAt)}
                </div>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

function SortHeader({ label, sortKey, align }: { label: string; sortKey: TagSortKey; align?: 'right' }) {
  const sort = useCatalog((s) => s.sort)
  const setSort = useCatalog((s) => s.setSort)
  const active = sort.key === sortKey
  const Icon = !active ? ArrowUpDown : sort.dir === 'asc' ? ArrowUp : ArrowDown
  return (
    <div role="columnheader" aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={align === 'right' ? 'flex justify-end' : ''}>
      <button
        type="button"
        onClick={() => setSort(sortKey)}
        aria-label={`Sort by ${label.toLowerCase()}`}
        className={cn('-mx-1 inline-flex items-center gap-1 rounded px-1 uppercase hover:bg-hover hover:text-fg', active && 'text-fg')}
      >
        {label}
        <Icon className={cn('size-3', !active && 'opacity-40')} aria-hidden />
      </button>
    </div>
  )
}

/** `linux: amd64, arm64` when every platform shares its OS, else each in full. */
export function platformsText(platforms: TagSummary['platforms']): string {
  if (platforms.length === 0) return ''
  const oses = new Set(platforms.map((p) => p.os))
  if (oses.size === 1) return `${platforms[0].os}: ${platforms.map((p) => [p.architecture, p.variant].filter(Boolean).join('/')).join(', ')}`
  return platforms.map(formatPlatform).join(', ')
}

/** An index's platforms (attestations counted apart, never as unknown/unknown); a plain image has none listed. */
export function Platforms({ tag }: { tag: TagSummary }) {
  if (tag.kind === 'artifact') return <Badge>artifact</Badge>
  if (tag.kind === 'image') return <span className="text-[12px] text-subtle">single image</span>
  const text = platformsText(tag.platforms)
  return (
    <>
      <span className="truncate text-[12px]" title={tag.platforms.map(formatPlatform).join(', ')}>
        {text || 'index'}
      </span>
      {tag.attestations > 0 ? (
        <span title={`${tag.attestations} build attestation${tag.attestations === 1 ? '' : 's'} (provenance / SBOM)`} className="inline-flex items-center text-subtle">
          <ShieldCheck className="size-3.5" aria-label={`${tag.attestations} build attestations`} />
        </span>
      ) : null}
    </>
  )
}
