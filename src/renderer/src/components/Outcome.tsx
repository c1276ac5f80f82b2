import type { ReactNode } from 'react'
import { cn } from '../lib/cn'

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
