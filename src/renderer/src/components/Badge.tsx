import type { ReactNode } from 'react'
import { cn } from '../lib/cn'

const TONES = {
  neutral: 'bg-raised text-muted border-line',
  accent: 'bg-accent-soft text-accent border-accent-line',
  success: 'bg-success-soft text-success border-transparent',
  warning: 'bg-warning-soft text-warning border-transparent',
  danger: 'bg-danger-soft text-danger border-transparent'
}

export function Badge({ tone = 'neutral', children, className, title }: { tone?: keyof typeof TONES; children: ReactNode; className?: string; title?: string }) {
  return (
    <span title={title} className={cn('inline-flex h-5 shrink-0 items-center gap-1 rounded border px-1.5 text-[11px] font-medium whitespace-nowrap', TONES[tone], className)}>
      {children}
    </span>
  )
}

/** A coloured dot for a state (running, stopped, reachable…). */
export function StatusDot({ tone, pulse }: { tone: 'success' | 'danger' | 'warning' | 'neutral'; pulse?: boolean }) {
  const color = { success: 'bg-success', danger: 'bg-danger', warning: 'bg-warning', neutral: 'bg-subtle' }[tone]
  return (
    <span className="relative inline-flex size-2 shrink-0" aria-hidden>
      {pulse ? <span className={cn('absolute inline-flex size-full animate-ping rounded-full opacity-60 motion-reduce:hidden', color)} /> : null}
      <span className={cn('relative inline-flex size-2 rounded-full', color)} />
    </span>
  )
}
