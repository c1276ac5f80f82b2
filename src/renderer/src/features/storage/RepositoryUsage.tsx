// useVirtualizer cannot be memoized by the React Compiler; harmless here (ECOSYSTEM.md pitfall 5).
/* eslint-disable react-hooks/incompatible-library */
import { useMemo, useRef, useState } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import { hierarchy, treemap } from 'd3-hierarchy'
import { FolderGit2, Trash2 } from 'lucide-react'
import type { RepositoryUsage as Repo } from '@shared/model/storage'
import { IconButton } from '../../components/Button'
import { EmptyState } from '../../components/Panel'
import { formatBytes, formatRelative, plural } from '../../lib/format'
import { useStorage, useStorageBusy } from '../../store/storage'
import { DeleteRepositoryDialog } from './DeleteRepositoryDialog'
import { Card } from '../../components/Card'
import { useWidth } from '../../lib/use-width'
import { SearchField } from '../../components/SearchField'
import { naturalCompare } from '../../lib/order'
import { cn } from '../../lib/cn'

type UsageSort = 'total' | 'unique' | 'name' | 'pushed'
const USAGE_SORTS: { key: UsageSort; label: string; cmp: (a: Repo, b: Repo) => number }[] = [
  { key: 'total', label: 'Size', cmp: (a, b) => b.totalBytes - a.totalBytes },
  { key: 'unique', label: 'Unique size', cmp: (a, b) => b.uniqueBytes - a.uniqueBytes },
  { key: 'name', label: 'Name', cmp: (a, b) => naturalCompare(a.name, b.name) },
  { key: 'pushed', label: 'Last push', cmp: (a, b) => (b.lastPush ?? '').localeCompare(a.lastPush ?? '') }
]

/** The repositories matching a search, in the chosen order (name breaks ties). */
export function usageRows(repositories: readonly Repo[], filter: string, sort: UsageSort): Repo[] {
  const needle = filter.trim().toLowerCase()
  const cmp = USAGE_SORTS.find((s) => s.key === sort)!.cmp
  return repositories.filter((r) => !needle || r.name.toLowerCase().includes(needle)).sort((a, b) => cmp(a, b) || naturalCompare(a.name, b.name))
}

const UNIQUE = 'color-mix(in srgb, var(--accent) 42%, var(--panel))'
const SHARED = 'color-mix(in srgb, var(--accent) 14%, var(--panel))'
const TREEMAP_HEIGHT = 168
/** Tiles of their own; the rest are one "others" tile. */
const TREEMAP_TILES = 40
const ROW_HEIGHT = 46

const describe = (r: { name: string; totalBytes: number; uniqueBytes: number; sharedBytes: number }) =>
  `${r.name}: ${formatBytes(r.totalBytes)}, ${formatBytes(r.uniqueBytes)} unique, ${formatBytes(r.sharedBytes)} shared`

/** Per repository: a treemap (area = what its tags reach, tint = unique vs shared) and bars with numbers. */
export function RepositoryUsage({ repositories }: { repositories: readonly Repo[] }) {
  const sorted = useMemo(() => [...repositories].sort((a, b) => b.totalBytes - a.totalBytes || a.name.localeCompare(b.name)), [repositories])
  const [deleting, setDeleting] = useState<Repo | null>(null)
  const [filter, setFilter] = useState('')
  const [sort, setSort] = useState<UsageSort>('total')
  const rows = useMemo(() => usageRows(repositories, filter, sort), [repositories, filter, sort])
  const listRef = useRef<HTMLDivElement>(null)
  return (
    <Card
      id="storage-repositories"
      title="Repositories"
      actions={<span className="text-[11px] text-subtle tabular-nums">{filter ? `${rows.length.toLocaleString()} of ${repositories.length.toLocaleString()}` : repositories.length.toLocaleString()}</span>}
      className="min-h-0"
    >
      {sorted.length === 0 ? (
        <EmptyState icon={<FolderGit2 className="size-6" />} title="No repositories yet">
          Push an image and it shows here with what it takes on disk.
        </EmptyState>
      ) : (
        <>
          <Treemap repositories={sorted} />
          <Legend />
          <div className="flex items-center gap-2">
            <div className="min-w-0 flex-1">
              <SearchField size="sm" label="Search repository sizes" placeholder="Search repositories" value={filter} onChange={setFilter} onArrowDown={() => listRef.current?.focus()} primary />
            </div>
            <label className="flex shrink-0 items-center gap-1 text-[12px] text-muted">
              Sort
              <select
                aria-label="Sort repository sizes"
                value={sort}
                onChange={(e) => setSort(e.target.value as UsageSort)}
                className="h-7 rounded-md border border-line-strong bg-field px-1 text-[12px] text-fg focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none"
              >
                {USAGE_SORTS.map((o) => (
                  <option key={o.key} value={o.key}>
                    {o.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {rows.length === 0 ? <p className="text-[12px] text-muted">No repository is named like “{filter}”.</p> : <RepositoryBars repositories={rows} max={sorted[0]?.totalBytes || 1} onDelete={setDeleting} listRef={listRef} />}
        </>
      )}
      {deleting ? (
        <DeleteRepositoryDialog
          open
          onOpenChange={(open) => {
            if (!open) setDeleting(null)
          }}
          repository={deleting.name}
          tags={deleting.tagCount}
          uniqueBytes={deleting.uniqueBytes}
        />
      ) : null}
    </Card>
  )
}

interface Leaf {
  name: string
  totalBytes: number
  uniqueBytes: number
  sharedBytes: number
  others?: number
}

function Treemap({ repositories }: { repositories: readonly Repo[] }) {
  const [ref, width] = useWidth()
  const tiles = useMemo(() => {
    if (width <= 0) return []
    const sized = repositories.filter((r) => r.totalBytes > 0)
    const leaves: Leaf[] = sized.slice(0, TREEMAP_TILES)
    const rest = sized.slice(TREEMAP_TILES)
    if (rest.length > 0)
      leaves.push({
        name: `${rest.length.toLocaleString()} more`,
        totalBytes: rest.reduce((n, r) => n + r.totalBytes, 0),
        uniqueBytes: rest.reduce((n, r) => n + r.uniqueBytes, 0),
        sharedBytes: rest.reduce((n, r) => n + r.sharedBytes, 0),
        others: rest.length
      })
    const root = hierarchy<{ children?: Leaf[] } | Leaf>({ children: leaves }, (d) => ('children' in d ? d.children : undefined))
      .sum((d) => ('totalBytes' in d ? d.totalBytes : 0))
      .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
    const laid = treemap<{ children?: Leaf[] } | Leaf>().size([width, TREEMAP_HEIGHT]).paddingInner(2).round(true)(root)
    return laid.leaves().map((l) => ({ leaf: l.data as Leaf, x: l.x0, y: l.y0, w: l.x1 - l.x0, h: l.y1 - l.y0 }))
  }, [repositories, width])

  return (
    <div ref={ref} role="list" aria-label="Repositories by size" className="relative shrink-0 overflow-hidden rounded-md" style={{ height: TREEMAP_HEIGHT }}>
      {tiles.map(({ leaf, x, y, w, h }) => {
        const unique = leaf.totalBytes > 0 ? (100 * leaf.uniqueBytes) / leaf.totalBytes : 0
        const label = leaf.others ? `${leaf.name} repositories: ${formatBytes(leaf.totalBytes)}` : describe(leaf)
        return (
          <div
            key={leaf.name}
            role="listitem"
            aria-label={label}
            title={label}
            // Borders and padding only where they fit: a sliver of a tile must stay inside its share.
            className={cn('absolute overflow-hidden rounded-[3px]', w >= 4 && h >= 4 && 'border border-accent-line/60', w > 56 && h > 20 && 'px-1.5 py-1')}
            style={{ left: x, top: y, width: w, height: h, background: `linear-gradient(to right, ${UNIQUE} ${unique}%, ${SHARED} ${unique}%)` }}
          >
            {w > 56 && h > 20 ? <div className="truncate text-[11px] leading-4 font-medium">{leaf.name}</div> : null}
            {w > 56 && h > 36 ? <div className="truncate text-[11px] leading-4 tabular-nums">{formatBytes(leaf.totalBytes)}</div> : null}
          </div>
        )
      })}
    </div>
  )
}

function Legend() {
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-[11px] text-muted" aria-hidden>
      <span className="inline-flex items-center gap-1.5">
        <span className="size-2.5 rounded-sm border border-accent-line/60" style={{ background: UNIQUE }} />
        Unique: freed when the repository is deleted
      </span>
      <span className="inline-flex items-center gap-1.5">
        <span className="size-2.5 rounded-sm border border-accent-line/60" style={{ background: SHARED }} />
        Shared with other repositories
      </span>
      <span>Area: everything its tags reach</span>
    </div>
  )
}

function RepositoryBars({ repositories, max, onDelete, listRef }: { repositories: readonly Repo[]; max: number; onDelete(repo: Repo): void; listRef: React.RefObject<HTMLDivElement | null> }) {
  const scrollRef = listRef
  const virtualizer = useVirtualizer({ count: repositories.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 })
  const selection = useStorage((s) => s.exportSelection)
  const toggleExport = useStorage((s) => s.toggleExport)
  const busy = useStorageBusy()
  return (
    <div ref={scrollRef} tabIndex={-1} className="min-h-[92px] overflow-y-auto rounded-md border border-line outline-none focus-visible:ring-2 focus-visible:ring-accent/40" style={{ height: Math.min(repositories.length * ROW_HEIGHT + 2, 5.5 * ROW_HEIGHT) }}>
      <ul aria-label="Repository sizes" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const r = repositories[v.index]
          return (
            <li
              key={r.name}
              aria-label={r.name}
              aria-posinset={v.index + 1}
              aria-setsize={repositories.length}
              className="absolute inset-x-0 grid grid-cols-[20px_minmax(120px,1.1fr)_minmax(80px,1fr)_auto_28px] items-center gap-2 border-b border-line/60 px-2"
              style={{ height: v.size, transform: `translateY(${v.start}px)` }}
            >
              <input
                type="checkbox"
                aria-label={`Select ${r.name} for export`}
                checked={selection.includes(r.name)}
                onChange={() => toggleExport(r.name)}
                className="size-3.5 accent-[var(--accent)]"
              />
              <div className="min-w-0">
                <div className="truncate font-medium" title={r.name}>
                  {r.name}
                </div>
                <div className="truncate text-[11px] text-subtle tabular-nums" title={`${plural(r.tagCount, 'tag')}${r.untaggedCount > 0 ? `, ${r.untaggedCount} untagged` : ''}`}>
                  {plural(r.tagCount, 'tag')}
                  {r.untaggedCount > 0 ? ` · ${r.untaggedCount.toLocaleString()} untagged` : ''}
                  {r.lastPush ? ` · ${formatRelative(r.lastPush)}` : ''}
                </div>
              </div>
              <div className="flex h-2 min-w-0 overflow-hidden rounded-full bg-raised" aria-hidden title={describe(r)}>
                <div style={{ width: `${(100 * r.uniqueBytes) / max}%`, background: 'var(--accent)' }} />
                <div style={{ width: `${(100 * r.sharedBytes) / max}%`, background: 'var(--accent-line)' }} />
              </div>
              <div className="text-right text-[11px] leading-4 tabular-nums">
                <div className="font-medium text-fg">{formatBytes(r.totalBytes)}</div>
                <div className="text-subtle">
                  {formatBytes(r.uniqueBytes)} unique · {formatBytes(r.sharedBytes)} shared
                </div>
              </div>
              <IconButton label={`Delete repository ${r.name}…`} size="xs" disabled={busy} onClick={() => onDelete(r)}>
                <Trash2 className="size-3.5" aria-hidden />
              </IconButton>
            </li>
          )
        })}
      </ul>
    </div>
  )
}
