import { LoaderCircle } from 'lucide-react'
import { cn } from '../lib/cn'

export function Spinner({ className, label }: { className?: string; label?: string }) {
  return <LoaderCircle className={cn('size-4 animate-spin text-subtle', className)} aria-label={label} aria-hidden={label ? undefined : true} role={label ? 'img' : undefined} />
}
