// useVirtualizer cannot be memoized by the React Compiler; harmless here (ECOSYSTEM.md pitfall 5).
/* eslint-disable react-hooks/incompatible-library */
import { useRef, type ReactNode } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import { cn } from '../../lib/cn'

export interface Column<T> {
  header: string
  cell(row: T): ReactNode
  className?: string
}

const ROW = 30

/**
 * A long list of rows (what a collection deletes, the tags a rule drops, broken blobs) as a table
 * that renders only what is on screen: TanStack Virtual, as the catalog does.
 */
export function VirtualTable<T>({ label, rows, columns, rowKey, grid, maxHeight = 240 }: { label: string; rows: readonly T[]; columns: Column<T>[]; rowKey(row: T): string; grid: string; maxHeight?: number }) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 10 })
  const height = Math.min(maxHeight, rows.length * ROW)
  return (
    <div role="table" aria-label={label} aria-rowcount={rows.length + 1} className="overflow-hidden rounded-md border border-line">
      <div role="rowgroup">
        <div role="row" aria-rowindex={1} className={cn('grid h-7 items-center gap-2 border-b border-line bg-raised px-2 text-[11px] font-medium text-muted', grid)}>
          {columns.map((c) => (
            <span role="columnheader" key={c.header} className={c.className}>
              {c.header}
            </span>
          ))}
        </div>
      </div>
      <div ref={scrollRef} role="rowgroup" className="overflow-y-auto" style={{ height }}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const row = rows[v.index]
            return (
              <div
                role="row"
                key={rowKey(row)}
                aria-rowindex={v.index + 2}
                className={cn('absolute inset-x-0 grid items-center gap-2 border-b border-line/60 px-2 text-[12px] tabular-nums', grid)}
                style={{ height: v.size, transform: `translateY(${v.start}px)` }}
              >
                {columns.map((c) => (
                  <span role="cell" key={c.header} className={cn('min-w-0 truncate', c.className)}>
                    {c.cell(row)}
                  </span>
                ))}
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
