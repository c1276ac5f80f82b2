import type { ReactNode } from 'react'
import { cn } from '../lib/cn'

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
