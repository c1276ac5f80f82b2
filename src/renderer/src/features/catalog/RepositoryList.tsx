// useVirtualizer cannot be memoized by the React Compiler; harmless here (ECOSYSTEM.md pitfall 5).
/* eslint-disable react-hooks/incompatible-library */
import { useEffect, useMemo, useRef, type ComponentType, type KeyboardEvent } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import { FolderGit2, PackagePlus, RefreshCw } from 'lucide-react'
import type { RepositorySummary } from '@shared/model/catalog'
import { Button, IconButton } from '../../components/Button'
import { EmptyState, InlineError, PanelHeader } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { SearchField } from '../../components/SearchField'
import { cn } from '../../lib/cn'
import { formatBytes, formatRelative } from '../../lib/format'
import { filterRepositories, sortRepositories, useCatalog, type RepoSortKey } from '../../store/catalog'
import { RepositoryTree } from './RepositoryTree'
import { useImages } from '../../store/images'
import { useTransfers } from '../../store/transfers'
import { useImageDrop } from '../images/drag'

const ROW_HEIGHT = 52

/** Repositories with their size and last push; a search that filters as you type; drop targets. */
export function RepositoryList() {
  const repositories = useCatalog((s) => s.repositories)
  const total = useCatalog((s) => s.total)
  const status = useCatalog((s) => s.status)
  const error = useCatalog((s) => s.error)
  const filter = useCatalog((s) => s.filter)
  const setFilter = useCatalog((s) => s.setFilter)
  const selected = useCatalog((s) => s.selected)
  const select = useCatalog((s) => s.select)
  const load = useCatalog((s) => s.loadRepositories)
  const repoSort = useCatalog((s) => s.repoSort)
  const repoView = useCatalog((s) => s.repoView)
  const visible = useMemo(() => sortRepositories(filterRepositories(repositories, filter), repoSort), [repositories, filter, repoSort])
  const focusList = () => document.querySelector<HTMLElement>('[data-repository-list]')?.focus()

  return (
    <aside aria-labelledby="repositories-title" className="flex min-h-0 flex-col border-r border-line bg-panel">
      <PanelHeader id="repositories-title" title="Repositories" count={status === 'ready' ? (filter ? `${visible.length.toLocaleString()} of ${total.toLocaleString()}` : total.toLocaleString()) : undefined}>
        <IconButton label="Refresh repositories" onClick={() => void load()}>
          <RefreshCw className="size-3.5" aria-hidden />
        </IconButton>
      </PanelHeader>
      <div className="shrink-0 border-b border-line p-2">
        <SearchField label="Search repositories" value={filter} onChange={setFilter} onArrowDown={focusList} primary />
        <RepositoryControls />
      </div>

      {status === 'error' && error ? (
        <InlineError className="m-2" title="Could not list repositories" message={<Advice text={error} />} action={<Button size="sm" onClick={() => void load()}>Try again</Button>} />
      ) : null}
      {status === 'loading' || status === 'idle' ? <LoadingRows /> : null}
      {status === 'ready' && visible.length === 0 ? (
        <EmptyState icon={<FolderGit2 className="size-6" />} title={filter ? 'No repository matches' : 'No repositories yet'} className="flex-1">
          {filter ? <>Nothing is named like “{filter}”.</> : 'Push an image to create one.'}
        </EmptyState>
      ) : null}
      {status === 'ready' && visible.length > 0 ? (
        repoView === 'tree' ? <RepositoryTree items={visible} filtering={filter.trim() !== ''} /> : <VirtualRepositories items={visible} selected={selected} onSelect={select} />
      ) : null}

      <NewRepositoryTarget />
    </aside>
  )
}

const REPO_SORTS: { key: RepoSortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'pushed', label: 'Last push' },
  { key: 'size', label: 'Size' }
]

/** The order of the repositories and flat list or namespace tree. */
function RepositoryControls() {
  const repoSort = useCatalog((s) => s.repoSort)
  const repoView = useCatalog((s) => s.repoView)
  const setRepoSort = useCatalog((s) => s.setRepoSort)
  const setRepoView = useCatalog((s) => s.setRepoView)
  return (
    <div className="mt-1.5 flex items-center gap-1.5 text-[12px] text-muted">
      <label className="flex items-center gap-1">
        Sort
        <select
          aria-label="Sort repositories"
          value={repoSort.key}
          onChange={(e) => setRepoSort(e.target.value as RepoSortKey)}
          className="h-6 rounded border border-line-strong bg-field px-1 text-[12px] text-fg focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none"
        >
          {REPO_SORTS.map((o) => (
            <option key={o.key} value={o.key}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        aria-label={`Order: ${repoSort.dir === 'asc' ? 'ascending' : 'descending'}`}
        title="Reverse the order"
        onClick={() => setRepoSort(repoSort.key)}
        className="rounded px-1 hover:bg-hover hover:text-fg focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none"
      >
        {repoSort.dir === 'asc' ? '↑' : '↓'}
      </button>
      <div className="ml-auto flex rounded border border-line-strong p-px" role="group" aria-label="Repository view">
        {(['list', 'tree'] as const).map((v) => (
          <button
            key={v}
            type="button"
            aria-pressed={repoView === v}
            onClick={() => setRepoView(v)}
            className={cn('rounded-sm px-1.5 focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none', repoView === v ? 'bg-accent-soft text-accent' : 'hover:text-fg')}
          >
            {v === 'list' ? 'List' : 'Tree'}
          </button>
        ))}
      </div>
    </div>
  )
}

export function LoadingRows() {
  return (
    <div className="flex-1 overflow-hidden" role="status" aria-label="Loading repositories">
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="mx-2 my-1 flex h-[44px] flex-col justify-center gap-1.5 px-2">
          <div className="h-3 animate-pulse rounded bg-raised" style={{ width: `${50 + ((i * 37) % 40)}%` }} />
          <div className="h-2.5 w-1/2 animate-pulse rounded bg-raised" />
        </div>
      ))}
    </div>
  )
}

export interface RepositoryRowProps {
  id: string
  repo: RepositorySummary
  index: number
  total: number
  selected: boolean
  onSelect(): void
  style: React.CSSProperties
  role?: 'option' | 'treeitem'
  /** What the row shows (the last part of the name in the tree); the accessible name stays the full name. */
  label?: string
  depth?: number
}

/** The repositories as a virtualized listbox (arrows, Page Up/Down, Home/End); each row drawn by `Row` (a drop target here, a name for a remote). */
export function VirtualRepositories({
  items,
  selected,
  onSelect,
  Row = RepositoryRow,
  rowHeight = ROW_HEIGHT
}: {
  items: readonly RepositorySummary[]
  selected: string | null
  onSelect(name: string): void
  Row?: ComponentType<RepositoryRowProps>
  rowHeight?: number
}) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8
  })
  const selectedIndex = useMemo(() => items.findIndex((r) => r.name === selected), [items, selected])

  // Keep the selection in view when it changes by keyboard or from elsewhere (a push, "Show").
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' })
  }, [selectedIndex, virtualizer])

  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1)
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity }
    if (!(e.key in moves)) return
    e.preventDefault()
    const from = selectedIndex < 0 ? -1 : selectedIndex
    const next = Math.max(0, Math.min(items.length - 1, moves[e.key] === Infinity ? items.length - 1 : moves[e.key] === -Infinity ? 0 : from + moves[e.key]))
    onSelect(items[next].name)
  }

  const activeId = selectedIndex >= 0 ? `repo-option-${selectedIndex}` : undefined
  return (
    <div
      ref={scrollRef}
      role="listbox"
      data-repository-list
      aria-label="Repositories"
      aria-activedescendant={activeId}
      tabIndex={0}
      onKeyDown={onKeyDown}
      className="min-h-0 flex-1 overflow-y-auto outline-none focus-visible:ring-2 focus-visible:ring-accent/40 focus-visible:ring-inset"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => {
          const repo = items[row.index]
          return (
            <Row
              key={repo.name}
              id={`repo-option-${row.index}`}
              repo={repo}
              index={row.index}
              total={items.length}
              selected={repo.name === selected}
              onSelect={() => onSelect(repo.name)}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: row.size, transform: `translateY(${row.start}px)` }}
            />
          )
        })}
      </div>
    </div>
  )
}

export function RepositoryRow({ id, repo, index, total, selected, onSelect, style, role = 'option', label, depth = 0 }: RepositoryRowProps) {
  const openPush = useTransfers((s) => s.openPush)
  const { over, props } = useImageDrop((image) => openPush({ image, repository: repo.name }))
  const shared = repo.totalSize - repo.uniqueSize
  return (
    <div style={{ ...style, paddingLeft: 6 + depth * 14 }} className="px-1.5 py-0.5">
      <div
        id={id}
        role={role}
        aria-level={role === 'treeitem' ? depth + 1 : undefined}
        aria-selected={selected}
        aria-label={repo.name}
        aria-posinset={index + 1}
        aria-setsize={total}
        data-repository={repo.name}
        onClick={onSelect}
        {...props}
        className={cn(
          'flex h-full flex-col justify-center rounded-md border px-2 transition-colors',
          selected ? 'border-transparent bg-accent-soft' : 'border-transparent hover:bg-hover',
          over && 'border-accent border-dashed bg-accent-soft ring-2 ring-accent/30'
        )}
      >
        <div className={cn('truncate font-medium', selected && 'text-accent')} title={repo.name}>
          {over ? `Drop to push to ${repo.name}` : (label ?? repo.name)}
        </div>
        <div className="flex gap-1.5 truncate text-[11px] text-subtle tabular-nums">
          <span>
            {repo.tagCount} {repo.tagCount === 1 ? 'tag' : 'tags'}
          </span>
          <span aria-hidden>·</span>
          <span title={shared > 0 ? `${formatBytes(repo.uniqueSize)} unique to this repository, ${formatBytes(shared)} shared with others` : 'No layer shared with other repositories'}>
            {formatBytes(repo.totalSize)}
            {shared > 0 ? (repo.uniqueSize > 0 ? ` (${formatBytes(repo.uniqueSize)} unique)` : ' shared') : ''}
          </span>
          {repo.lastPush ? (
            <>
              <span aria-hidden>·</span>
              <span>{formatRelative(repo.lastPush)}</span>
            </>
          ) : null}
        </div>
      </div>
    </div>
  )
}

/** Drop an image here to push it into a repository that does not exist yet (the dialog asks the name). */
function NewRepositoryTarget() {
  const openPush = useTransfers((s) => s.openPush)
  const dragging = useImages((s) => s.dragging)
  const { over, props } = useImageDrop((image) => openPush({ image, repository: null }))
  return (
    <div className="shrink-0 border-t border-line p-2">
      <div
        {...props}
        role="region"
        aria-label="New repository drop target"
        className={cn(
          'flex items-center gap-2 rounded-md border border-dashed px-3 py-2.5 text-[12px] transition-colors',
          over ? 'border-accent bg-accent-soft text-accent' : dragging ? 'border-accent-line bg-accent-soft/50 text-fg' : 'border-line-strong text-muted'
        )}
      >
        <PackagePlus className="size-4 shrink-0" aria-hidden />
        <span>
          <span className="font-medium text-fg">New repository</span>
          <br />
          {over ? 'Release to name it' : 'Drop a local image here'}
        </span>
      </div>
    </div>
  )
}
