import { cn } from '../lib/cn'

interface ProgressBarProps {
  /** 0–100; null when unknown (a layer that reports no size). */
  value: number | null
  label: string
  tone?: 'accent' | 'success' | 'danger' | 'muted'
  running?: boolean
  size?: 'sm' | 'md'
  className?: string
}

const TONES = { accent: 'bg-accent', success: 'bg-success', danger: 'bg-danger', muted: 'bg-subtle' }

export function ProgressBar({ value, label, tone = 'accent', running = false, size = 'md', className }: ProgressBarProps) {
  const pct = value === null ? (running ? 100 : 0) : Math.max(0, Math.min(100, value))
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value === null ? undefined : Math.round(pct)}
      className={cn('w-full overflow-hidden rounded-full bg-raised', size === 'sm' ? 'h-1' : 'h-1.5', className)}
    >
      <div
        className={cn('h-full rounded-full transition-[width] duration-200', TONES[tone], running && 'progress-running', value === null && running && 'opacity-50')}
        style={{ width: `${pct}%` }}
      />
    </div>
  )
}
