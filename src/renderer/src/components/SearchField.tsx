import { Search, X } from 'lucide-react'
import { cn } from '../lib/cn'
import { IconButton } from './Button'

interface SearchFieldProps {
  /** The accessible name (and the placeholder unless one is given). */
  label: string
  placeholder?: string
  value: string
  onChange: (value: string) => void
  /** `sm` for side panels. */
  size?: 'sm' | 'md'
  /** Arrow Down moves into the list this box filters (keyboard users never need the mouse). */
  onArrowDown?: () => void
  /** Marks the box `/` and Ctrl+K focus in the current view. */
  primary?: boolean
}

/** A filter-as-you-type box with a search icon and a clear button once something is typed. */
export function SearchField({ label, placeholder, value, onChange, size = 'md', onArrowDown, primary }: SearchFieldProps) {
  return (
    <label
      className={cn(
        'flex items-center gap-1.5 rounded-md border border-line-strong bg-field px-2 focus-within:border-accent focus-within:ring-2 focus-within:ring-accent/25',
        size === 'sm' ? 'h-7' : 'h-8'
      )}
    >
      <Search className="size-3.5 shrink-0 text-subtle" aria-hidden />
      <input
        type="search"
        aria-label={label}
        placeholder={placeholder ?? label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-primary-search={primary ? '' : undefined}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && onArrowDown) {
            e.preventDefault()
            onArrowDown()
          } else if (e.key === 'Escape' && value) {
            e.preventDefault()
            onChange('')
          }
        }}
        className={cn(
          'h-full min-w-0 flex-1 bg-transparent outline-none placeholder:text-subtle [&::-webkit-search-cancel-button]:hidden',
          size === 'sm' && 'text-[12px]'
        )}
      />
      {value ? (
        <IconButton label={`Clear: ${label}`} size="xs" onClick={() => onChange('')}>
          <X className="size-3.5" aria-hidden />
        </IconButton>
      ) : null}
    </label>
  )
}
