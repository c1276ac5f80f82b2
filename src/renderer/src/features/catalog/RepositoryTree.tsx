// useVirtualizer cannot be memoized by the React Compiler; harmless here (ECOSYSTEM.md pitfall 5).
/* eslint-disable react-hooks/incompatible-library */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import { ChevronDown, ChevronRight } from 'lucide-react'
import type { RepositorySummary } from '@shared/model/catalog'
import { cn } from '../../lib/cn'
import { formatBytes } from '../../lib/format'
import { useCatalog } from '../../store/catalog'
import { RepositoryRow } from './RepositoryList'
import { treeRows } from './repository-tree'

const ROW_HEIGHT = 52
const NAMESPACE_HEIGHT = 30

/**
 * Repositories under collapsible namespaces (`team/…`), virtualized. Up/Down move, Right opens a
 * namespace, Left closes it (or goes to its parent), Enter or Space toggles; a repository row is
 * selected as the focus reaches it, as in the flat list. A search opens every namespace.
 */
export function RepositoryTree({ items, filtering }: { items: readonly RepositorySummary[]; filtering: boolean }) {
  const expanded = useCatalog((s) => s.expanded)
  const toggle = useCatalog((s) => s.toggleExpanded)
  const selected = useCatalog((s) => s.selected)
  const select = useCatalog((s) => s.select)
  const rows = useMemo(() => treeRows(items, new Set(expanded), filtering), [items, expanded, filtering])
  const [active, setActive] = useState<number>(-1)
  const selectedIndex = rows.findIndex((r) => r.kind === 'repository' && r.repo.name === selected)
  const current = active >= 0 && active < rows.length ? active : selectedIndex

  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i].kind === 'namespace' ? NAMESPACE_HEIGHT : ROW_HEIGHT),
    overscan: 8
  })
  useEffect(() => {
    if (current >= 0) virtualizer.scrollToIndex(current, { align: 'auto' })
  }, [current, virtualizer])

  const moveTo = (i: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, i))
    setActive(next)
    const row = rows[next]
    if (row.kind === 'repository') select(row.repo.name)
  }
  const onKeyDown = (e: KeyboardEvent) => {
    const row = rows[current]
    const moves: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: rows.length - 1 }
    if (e.key in moves) {
      e.preventDefault()
      return moveTo(moves[e.key])
    }
    if (!row) return
    const toggles = e.key === 'Enter' || e.key === ' ' || (e.key === 'ArrowRight' && row.kind === 'namespace' && !row.open) || (e.key === 'ArrowLeft' && row.kind === 'namespace' && row.open)
    if (row.kind === 'namespace' && toggles) {
      e.preventDefault()
      return toggle(row.path)
    }
    if (e.key === 'ArrowLeft' && row.depth > 0) {
      e.preventDefault()
      for (let i = current - 1; i >= 0; i--) if (rows[i].kind === 'namespace' && rows[i].depth === row.depth - 1) return moveTo(i)
    }
  }

  return (
    <div
      ref={scrollRef}
      role="tree"
      data-repository-list
      aria-label="Repositories"
      aria-activedescendant={current >= 0 ? `repo-tree-${current}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      className="min-h-0 flex-1 overflow-y-auto outline-none focus-visible:ring-2 focus-visible:ring-accent/40 focus-visible:ring-inset"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const row = rows[v.index]
          const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` }
          if (row.kind === 'repository')
            return (
              <RepositoryRow
                key={`r:${row.repo.name}`}
                id={`repo-tree-${v.index}`}
                role="treeitem"
                repo={row.repo}
                label={row.label}
                depth={row.depth}
                index={v.index}
                total={rows.length}
                selected={row.repo.name === selected}
                onSelect={() => (setActive(v.index), select(row.repo.name))}
                style={style}
              />
            )
          const Icon = row.open ? ChevronDown : ChevronRight
          return (
            <div key={`n:${row.path}`} style={{ ...style, paddingLeft: 6 + row.depth * 14 }} className="px-1.5">
              <div
                id={`repo-tree-${v.index}`}
                role="treeitem"
                aria-expanded={row.open}
                aria-level={row.depth + 1}
                aria-label={`${row.path}/`}
                onClick={() => (setActive(v.index), toggle(row.path))}
                className={cn('flex h-full cursor-default items-center gap-1 rounded-md px-1 text-[12px] hover:bg-hover', current === v.index && 'ring-1 ring-accent/50')}
              >
                <Icon className="size-3.5 shrink-0 text-muted" aria-hidden />
                <span className="truncate font-medium" title={`${row.path}/`}>
                  {row.label}
                </span>
                <span className="ml-auto shrink-0 text-[11px] text-subtle tabular-nums">
                  {row.repositories.toLocaleString()} · {formatBytes(row.totalSize)}
                </span>
              </div>
            </div>
          )
        })}
      </div>
    </div>
  )
}
