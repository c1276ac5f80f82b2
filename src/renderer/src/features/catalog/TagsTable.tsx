// useVirtualizer cannot be memoized by the React Compiler; harmless here (ECOSYSTEM.md pitfall 5).
/* eslint-disable react-hooks/incompatible-library */
import { useEffect, useMemo, useRef, type KeyboardEvent, type RefObject } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import { ArrowDown, ArrowUp, ArrowUpDown, ShieldCheck } from 'lucide-react'
import type { TagSummary } from '@shared/model/catalog'
import { CopyButton } from '../../components/CopyButton'
import { Badge } from '../../components/Badge'
import { cn } from '../../lib/cn'
import { formatBytes, formatDate, formatPlatform, formatRelative } from '../../lib/format'
import { useScrollerWidth } from '../../lib/use-width'
import { filterTags, sortTags, useCatalog, type TagSortKey } from '../../store/catalog'
import { DIGEST_CELL, HEADER_CELL, platformsText, TAG_CELL, TAG_GAP, TAG_PADDING, tagColumns, TEXT_CELL } from './tag-columns'
import { TagsToolbar } from './TagsToolbar'
import { UntaggedTable } from './UntaggedTable'

export const TAG_ROW_HEIGHT = 36
const ROW_HEIGHT = TAG_ROW_HEIGHT

/** How tall the rows want to be under the toolbar for `count` tags (header, rows): as many as the repository has, whatever the filter, so the detail below does not jump while typing. */
function rowsHeight(count: number): number {
  return 33 + Math.max(count, 2) * TAG_ROW_HEIGHT + 1
}

/** The selected repository's tags: a filter, a sort, bulk selection; virtualized; or its untagged manifests. */
export function TagsTable({ items }: { items: readonly TagSummary[] }) {
  const mode = useCatalog((s) => s.tagsMode)
  const gridRef = useRef<HTMLDivElement>(null)
  // The toolbar as tall as it lays out (it wraps in a narrow pane), the rows under it; the area
  // around (RepositoryView) caps the whole and the rows give way, scrolling.
  return (
    <div className="flex min-h-0 flex-col">
      <TagsToolbar items={items} gridRef={gridRef} />
      <div className="flex min-h-0 shrink flex-col" style={{ height: rowsHeight(items.length) }}>
        {mode === 'untagged' ? <UntaggedTable /> : <TagsGrid items={items} gridRef={gridRef} />}
      </div>
    </div>
  )
}

function TagsGrid({ items, gridRef }: { items: readonly TagSummary[]; gridRef: RefObject<HTMLDivElement | null> }) {
  const sort = useCatalog((s) => s.sort)
  const detail = useCatalog((s) => s.detail)
  const openReference = useCatalog((s) => s.openReference)
  const repository = useCatalog((s) => s.selected)
  const filter = useCatalog((s) => s.tagFilter)
  const checked = useCatalog((s) => s.checked)
  const toggleChecked = useCatalog((s) => s.toggleChecked)
  const rows = useMemo(() => sortTags(filterTags(items, filter), sort), [items, filter, sort])
  const ticked = useMemo(() => new Set(checked), [checked])
  const current = detail?.parent ?? detail?.reference ?? null
  const selectedIndex = useMemo(() => rows.findIndex((t) => t.tag === current), [rows, current])

  // Columns fitted to every tag (not only those shown) at the rows' width, scroll bar excluded.
  const [scrollRef, rowsRef, width] = useScrollerWidth()
  const columns = useMemo(() => tagColumns(items, width - 2 * TAG_PADDING), [items, width])
  const has = (c: Parameters<typeof columns.widths.has>[0]) => columns.widths.has(c)
  const grid = { gridTemplateColumns: columns.template, columnGap: TAG_GAP, paddingInline: TAG_PADDING }
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
    else if (e.key === ' ' && selectedIndex >= 0) {
      e.preventDefault()
      toggleChecked(rows[selectedIndex].tag)
      return
    } else if (e.key === 'Enter' && selectedIndex < 0 && rows.length > 0) next = 0
    if (next === null || rows.length === 0) return
    e.preventDefault()
    openReference(rows[next].tag)
  }

  return (
    <div
      ref={gridRef}
      role="grid"
      aria-label={`Tags of ${repository ?? ''}`}
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.widths.size}
      aria-multiselectable
      aria-activedescendant={selectedIndex >= 0 ? `tag-row-${selectedIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      className="flex min-h-0 flex-1 flex-col outline-none focus-visible:ring-2 focus-visible:ring-accent/40 focus-visible:ring-inset"
    >
      <div role="rowgroup" className="shrink-0 border-b border-line bg-canvas">
        <div role="row" aria-rowindex={1} className={cn('grid h-8 items-center whitespace-nowrap text-muted', HEADER_CELL)} style={grid}>
          <div role="columnheader" aria-label="Selected">
            <input
              type="checkbox"
              tabIndex={-1}
              aria-label={`Select all ${rows.length} tags shown`}
              checked={rows.length > 0 && rows.every((t) => ticked.has(t.tag))}
              onChange={(e) => useCatalog.getState().setChecked(e.target.checked ? [...new Set([...checked, ...rows.map((t) => t.tag)])] : checked.filter((c) => !rows.some((t) => t.tag === c)))}
              className="size-3.5 accent-[var(--accent)]"
            />
          </div>
          <SortHeader label="Tag" sortKey="tag" />
          {has('digest') ? <div role="columnheader">Digest</div> : null}
          {has('platforms') ? <div role="columnheader">Platforms</div> : null}
          <SortHeader label="Size" sortKey="size" align="right" />
          {has('created') ? <SortHeader label="Created" sortKey="created" /> : null}
          {has('pushed') ? <SortHeader label="Pushed" sortKey="pushed" /> : null}
        </div>
      </div>
      <div ref={rowsRef} role="rowgroup" className="min-h-0 flex-1 overflow-y-auto">
        {rows.length === 0 ? (
          <div role="row" className="px-3 py-4 text-[12px] text-muted">
            <span role="gridcell">No tag matches “{filter}”.</span>
          </div>
        ) : null}
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
                style={{ ...grid, position: 'absolute', top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` }}
                className={cn(
                  'group grid items-center border-b border-line/60',
                  selected ? 'bg-accent-soft' : ticked.has(t.tag) ? 'bg-hover' : 'hover:bg-hover'
                )}
              >
                <div role="gridcell" onClick={(e) => e.stopPropagation()}>
                  <input type="checkbox" tabIndex={-1} aria-label={`Select ${t.tag}`} checked={ticked.has(t.tag)} onChange={() => toggleChecked(t.tag)} className="size-3.5 accent-[var(--accent)]" />
                </div>
                <div role="gridcell" className={cn('truncate', TAG_CELL, selected && 'text-accent')} title={t.tag}>
                  {t.tag}
                </div>
                {has('digest') ? (
                  <div role="gridcell" className="flex min-w-0 items-center gap-0.5">
                    <code className={cn('truncate text-muted', DIGEST_CELL)} title={t.digest}>
                      {t.digest.replace(/^sha(256|512):/, '').slice(0, 12)}
                    </code>
                    <CopyButton text={t.digest} label={`Copy digest of ${t.tag}`} size="xs" tabIndex={-1} className="opacity-0 group-hover:opacity-100 focus-visible:opacity-100" />
                  </div>
                ) : null}
                {has('platforms') ? (
                  <div role="gridcell" className="flex min-w-0 items-center gap-1 overflow-hidden">
                    <Platforms tag={t} />
                  </div>
                ) : null}
                <div role="gridcell" className={cn('text-right whitespace-nowrap tabular-nums', TEXT_CELL)}>
                  {formatBytes(t.size)}
                </div>
                {has('created') ? (
                  <div role="gridcell" className={cn('truncate text-muted', TEXT_CELL)} title={formatDate(t.created)}>
                    {formatRelative(t.created)}
                  </div>
                ) : null}
                {has('pushed') ? (
                  <div role="gridcell" className={cn('truncate text-muted', TEXT_CELL)} title={formatDate(t.pushedAt)}>
                    {formatRelative(t.pushedAt)}
                  </div>
                ) : null}
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
        className={cn('inline-flex items-center gap-1 rounded whitespace-nowrap uppercase hover:bg-hover hover:text-fg', active && 'text-fg')}
      >
        {label}
        <Icon className={cn('size-3', !active && 'opacity-40')} aria-hidden />
      </button>
    </div>
  )
}

/** An index's platforms (attestations counted apart, never as unknown/unknown); a plain image has none listed. */
export function Platforms({ tag }: { tag: TagSummary }) {
  if (tag.kind === 'artifact') return <Badge>artifact</Badge>
  if (tag.kind === 'image') return <span className={cn('whitespace-nowrap text-subtle', TEXT_CELL)}>single image</span>
  const text = platformsText(tag.platforms)
  return (
    <>
      <span className={cn('truncate', TEXT_CELL)} title={tag.platforms.map(formatPlatform).join(', ')}>
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
