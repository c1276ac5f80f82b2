import { useCallback, useState, type ReactNode } from 'react'
import { ProgressBar } from '../../components/ProgressBar'
import { cn } from '../../lib/cn'
import { formatBytes } from '../../lib/format'
import { progressPercent, useStorage, type StorageOperation } from '../../store/storage'

/** A titled card of the storage view: the heading names the region. */
export function Card({ id, title, actions, children, className }: { id: string; title: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section aria-labelledby={id} className={cn('flex min-w-0 flex-col rounded-lg border border-line bg-panel', className)}>
      <div className="flex h-10 shrink-0 items-center gap-2 border-b border-line px-3">
        <h2 id={id} className="text-[11px] font-semibold tracking-wide text-muted uppercase">
          {title}
        </h2>
        <div className="ml-auto flex items-center gap-1">{actions}</div>
      </div>
      <div className="flex min-h-0 flex-1 flex-col gap-3 p-3">{children}</div>
    </section>
  )
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/**
 * A running storage operation: a bar, its phase and count, and what it works on, from the
 * storage.progress events (indeterminate until the first one arrives).
 */
export function OperationProgress({ operation, label, bytes = false }: { operation: StorageOperation; label: string; bytes?: boolean }) {
  const p = useStorage((s) => s.progress[operation])
  const pct = progressPercent(p)
  const count = (n: number) => (bytes ? formatBytes(n) : n.toLocaleString())
  return (
    <div className="space-y-1" data-operation={operation}>
      <ProgressBar value={pct} label={`${label}${p ? `: ${p.phase}` : ''}`} running={!p?.finished} />
      <div className="flex items-center gap-2 text-[11px] text-muted tabular-nums" aria-live="polite">
        <span className="font-medium text-fg first-letter:uppercase">{p ? p.phase : 'Starting…'}</span>
        {p ? <span>{p.total !== null ? `${count(p.done)} of ${count(p.total)}` : count(p.done)}</span> : null}
        {pct !== null ? <span>{Math.round(pct)}%</span> : null}
        {p?.item ? (
          <code className="ml-auto min-w-0 truncate text-subtle" title={p.item}>
            {p.item}
          </code>
        ) : null}
      </div>
    </div>
  )
}

/** A result worth reading: a sentence with an icon, in the tone of what happened. */
export function Outcome({ tone, title, children }: { tone: 'success' | 'warning' | 'neutral'; title: ReactNode; children?: ReactNode }) {
  return (
    <div
      role="status"
      className={cn(
        'rounded-md border px-3 py-2',
        tone === 'success' ? 'border-success/30 bg-success-soft' : tone === 'warning' ? 'border-warning/30 bg-warning-soft' : 'border-line bg-canvas'
      )}
    >
      <p className={cn('font-medium', tone === 'success' ? 'text-success' : tone === 'warning' ? 'text-warning' : 'text-fg')}>{title}</p>
      {children ? <div className="mt-0.5 text-[12px] text-fg">{children}</div> : null}
    </div>
  )
}

export function Checkbox({ label, hint, checked, onChange, disabled }: { label: string; hint?: ReactNode; checked: boolean; onChange(checked: boolean): void; disabled?: boolean }) {
  return (
    <label className={cn('flex items-start gap-2', disabled && 'opacity-60')}>
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} className="mt-0.5 size-4 shrink-0 accent-[var(--accent)]" />
      <span>
        {label}
        {hint ? <span className="block text-[12px] text-subtle">{hint}</span> : null}
      </span>
    </label>
  )
}

/** The width of an element, followed as it resizes (a callback ref: measured once mounted). */
export function useWidth(): [(el: HTMLElement | null) => void, number] {
  const [width, setWidth] = useState(0)
  const ref = useCallback((el: HTMLElement | null) => {
    if (!el) return
    setWidth(el.clientWidth)
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]?.contentRect.width ?? el.clientWidth)))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  return [ref, width]
}
