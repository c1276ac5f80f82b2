import type { ReactNode } from 'react'
import { cn } from '../lib/cn'

/** A panel's title bar: a heading (the region's name), a count, actions on the right. */
export function PanelHeader({ id, title, count, children, className }: { id?: string; title: string; count?: ReactNode; children?: ReactNode; className?: string }) {
  return (
    <div className={cn('flex h-10 shrink-0 items-center gap-2 border-b border-line px-3', className)}>
      <h2 id={id} className="text-[11px] font-semibold tracking-wide text-muted uppercase">
        {title}
      </h2>
      {count !== undefined ? <span className="rounded-full bg-raised px-1.5 text-[11px] text-muted tabular-nums">{count}</span> : null}
      <div className="ml-auto flex items-center gap-1">{children}</div>
    </div>
  )
}

/** A calm message where content would be: an icon, a sentence, maybe an action. */
export function EmptyState({ icon, title, children, className }: { icon?: ReactNode; title: string; children?: ReactNode; className?: string }) {
  return (
    <div className={cn('flex flex-col items-center justify-center gap-2 px-6 py-8 text-center', className)}>
      {icon ? <div className="text-subtle">{icon}</div> : null}
      <p className="font-medium">{title}</p>
      {children ? <div className="max-w-md text-muted">{children}</div> : null}
    </div>
  )
}

/** An error where content would be, with its advice and a way to retry; without a title, the one sentence that says it all. */
export function InlineError({ title, message, action, className }: { title?: string; message: ReactNode; action?: ReactNode; className?: string }) {
  return (
    <div role="alert" className={cn('rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-fg', className)}>
      {title ? <p className="font-medium text-danger">{title}</p> : null}
      <div className={cn('text-[12px] break-words', title && 'mt-0.5')}>{message}</div>
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  )
}
