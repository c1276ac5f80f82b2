import { forwardRef, useId, type InputHTMLAttributes, type ReactNode } from 'react'
import { cn } from '../lib/cn'

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'prefix'> {
  label: string
  /** Shown under the field; replaced by the error when there is one. */
  hint?: ReactNode
  error?: string | null
  prefix?: ReactNode
  mono?: boolean
}

/** A labelled input; its error is announced (aria-invalid + aria-describedby). */
export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field({ label, hint, error, prefix, mono, className, id, ...rest }, ref) {
  const auto = useId()
  const inputId = id ?? auto
  const noteId = `${inputId}-note`
  return (
    <div className={cn('flex flex-col gap-1', className)}>
      <label htmlFor={inputId} className="text-[12px] font-medium text-muted">
        {label}
      </label>
      <div
        className={cn(
          'flex h-8 items-center overflow-hidden rounded-md border bg-field focus-within:ring-2',
          error ? 'border-danger focus-within:ring-danger/30' : 'border-line-strong focus-within:border-accent focus-within:ring-accent/25'
        )}
      >
        {prefix ? <span className="flex h-full shrink-0 items-center border-r border-line bg-raised px-2 font-mono text-[12px] text-muted">{prefix}</span> : null}
        <input
          ref={ref}
          id={inputId}
          aria-invalid={error ? true : undefined}
          aria-describedby={error || hint ? noteId : undefined}
          className={cn('h-full min-w-0 flex-1 bg-transparent px-2 outline-none placeholder:text-subtle', mono && 'font-mono text-[12px]')}
          spellCheck={false}
          autoComplete="off"
          {...rest}
        />
      </div>
      {error ? (
        <p id={noteId} className="text-[12px] text-danger" role="alert">
          {error}
        </p>
      ) : hint ? (
        <p id={noteId} className="text-[12px] text-subtle">
          {hint}
        </p>
      ) : null}
    </div>
  )
})
