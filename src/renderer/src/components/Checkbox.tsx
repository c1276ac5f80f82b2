import type { ReactNode } from 'react'
import { cn } from '../lib/cn'

/** A checkbox with its label and an optional hint below it. */
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
