import { useRef, useState, type RefObject } from 'react'
import { Trash2, X } from 'lucide-react'
import type { TagSummary } from '@shared/model/catalog'
import { Button, IconButton } from '../../components/Button'
import { SearchField } from '../../components/SearchField'
import { cn } from '../../lib/cn'
import { plural } from '../../lib/format'
import { filterTags, useCatalog, type TagSortKey } from '../../store/catalog'
import { BulkDeleteDialog } from './BulkDeleteDialog'

export const TOOLBAR_HEIGHT = 41

const SORTS: { value: string; label: string; key: TagSortKey; dir: 'asc' | 'desc' }[] = [
  { value: 'pushed-desc', label: 'Newest push', key: 'pushed', dir: 'desc' },
  { value: 'created-desc', label: 'Newest build', key: 'created', dir: 'desc' },
  { value: 'version-desc', label: 'Highest version', key: 'version', dir: 'desc' },
  { value: 'version-asc', label: 'Lowest version', key: 'version', dir: 'asc' },
  { value: 'tag-asc', label: 'Name', key: 'tag', dir: 'asc' },
  { value: 'size-desc', label: 'Largest', key: 'size', dir: 'desc' },
  { value: 'pushed-asc', label: 'Oldest push', key: 'pushed', dir: 'asc' }
]

/** Above the tags: a filter as you type, the order, Tags | Untagged, and what to do with the ticked tags. */
export function TagsToolbar({ items, gridRef }: { items: readonly TagSummary[]; gridRef: RefObject<HTMLDivElement | null> }) {
  const repository = useCatalog((s) => s.selected)!
  const filter = useCatalog((s) => s.tagFilter)
  const setFilter = useCatalog((s) => s.setTagFilter)
  const sort = useCatalog((s) => s.sort)
  const checked = useCatalog((s) => s.checked)
  const setChecked = useCatalog((s) => s.setChecked)
  const mode = useCatalog((s) => s.tagsMode)
  const setMode = useCatalog((s) => s.setTagsMode)
  const untagged = useCatalog((s) => s.untagged)
  const [confirming, setConfirming] = useState(false)
  const deleteRef = useRef<HTMLButtonElement>(null)
  const shown = filter ? filterTags(items, filter).length : items.length
  const value = `${sort.key}-${sort.dir}`

  return (
    // Wraps onto a second line where the middle column is narrow (1024 px windows) rather than cutting anything.
    <div className="flex shrink-0 flex-wrap items-center gap-x-2 gap-y-1 border-b border-line px-3 py-1.5" style={{ minHeight: TOOLBAR_HEIGHT }} role="toolbar" aria-label="Tags toolbar">
      <div className="flex shrink-0 rounded-md border border-line-strong p-0.5 text-[12px]" role="group" aria-label="Show">
        {(['tags', 'untagged'] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={mode === m}
            onClick={() => setMode(m)}
            className={cn('rounded px-2 py-0.5 focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none', mode === m ? 'bg-accent-soft font-medium text-accent' : 'text-muted hover:text-fg')}
          >
            {m === 'tags' ? `Tags ${items.length.toLocaleString()}` : `Untagged${untagged?.items ? ` ${untagged.items.length.toLocaleString()}` : ''}`}
          </button>
        ))}
      </div>
      {mode === 'tags' ? (
        <>
          {/* Narrower before anything wraps: it starts at 120 px and grows to 220. */}
          <div className="max-w-[220px] min-w-[120px] flex-1 basis-[120px]">
            <SearchField size="sm" label="Filter tags" placeholder="Filter tags" value={filter} onChange={setFilter} onArrowDown={() => gridRef.current?.focus()} />
          </div>
          {filter ? <span className="shrink-0 text-[11px] text-muted tabular-nums">{`${shown.toLocaleString()} of ${items.length.toLocaleString()}`}</span> : null}
          <label className="flex shrink-0 items-center gap-1 text-[12px] text-muted">
            <span>Sort</span>
            <select
              aria-label="Sort tags"
              value={SORTS.some((s) => s.value === value) ? value : ''}
              onChange={(e) => {
                const chosen = SORTS.find((s) => s.value === e.target.value)
                if (chosen) useCatalog.setState({ sort: { key: chosen.key, dir: chosen.dir } })
              }}
              className="h-7 rounded-md border border-line-strong bg-field px-1 text-[12px] text-fg focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none"
            >
              {SORTS.some((s) => s.value === value) ? null : <option value="">Custom</option>}
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <div className="ml-auto flex shrink-0 items-center gap-1">
            {checked.length > 0 ? (
              <>
                <span className="text-[12px] text-muted tabular-nums" aria-live="polite">
                  {plural(checked.length, 'tag')} selected
                </span>
                <IconButton label="Clear the selection" size="xs" onClick={() => setChecked([])}>
                  <X className="size-3.5" aria-hidden />
                </IconButton>
                <Button ref={deleteRef} size="sm" variant="danger-outline" icon={<Trash2 className="size-3.5" aria-hidden />} onClick={() => setConfirming(true)}>
                  Delete {checked.length.toLocaleString()}…
                </Button>
              </>
            ) : (
              <span className="hidden text-[11px] text-subtle 2xl:inline">Space ticks a tag</span>
            )}
          </div>
        </>
      ) : null}
      {confirming ? (
        <BulkDeleteDialog
          open
          onOpenChange={(o) => {
            if (o) return
            setConfirming(false)
            // Back to where the keyboard was (the dialog unmounts, so Radix cannot return it); the grid when the button went with the ticks.
            requestAnimationFrame(() => (deleteRef.current ?? gridRef.current)?.focus())
          }}
          repository={repository}
          all={items}
          checked={checked}
        />
      ) : null}
    </div>
  )
}
