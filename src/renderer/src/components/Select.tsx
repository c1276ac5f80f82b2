import { useId } from 'react'
import { cn } from '../lib/cn'

/** A labelled <select> over a list of [value, text] choices. */
export function Select<T extends string>({
  label,
  value,
  onChange,
  options,
  className,
  disabled
}: {
  label: string
  value: T
  onChange(value: T): void
  options: readonly (readonly [T, string])[]
  className?: string
  disabled?: boolean
}) {
  const id = useId()
  return (
    <div className={cn('flex flex-col gap-1', className)}>
      <label htmlFor={id} className="text-[12px] font-medium text-muted">
        {label}
      </label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value as T)}
        className="h-8 min-w-0 rounded-md border border-line-strong bg-field px-1 text-[12px] disabled:opacity-60"
      >
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  )
}
