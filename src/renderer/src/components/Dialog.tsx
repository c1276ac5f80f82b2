import type { ReactNode } from 'react'
import { AlertDialog, Dialog } from 'radix-ui'
import { X } from 'lucide-react'
import { cn } from '../lib/cn'

const overlay = 'fixed inset-0 z-40 bg-black/35 dark:bg-black/55'
const content =
  'fixed top-1/2 left-1/2 z-50 max-h-[85vh] w-[min(92vw,520px)] -translate-x-1/2 -translate-y-1/2 overflow-auto rounded-lg border border-line bg-panel p-5 shadow-pop focus:outline-none'

interface ModalProps {
  open: boolean
  onOpenChange(open: boolean): void
  title: string
  description?: ReactNode
  children: ReactNode
  className?: string
}

/** A dialog with a title (its accessible name), an optional description and a close button. */
export function Modal({ open, onOpenChange, title, description, children, className }: ModalProps) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className={overlay} />
        <Dialog.Content className={cn(content, className)}>
          <div className="mb-3 flex items-start justify-between gap-4">
            <Dialog.Title className="text-[15px] font-semibold">{title}</Dialog.Title>
            <Dialog.Close aria-label="Close" className="-mt-1 -mr-2 inline-flex size-7 items-center justify-center rounded-md text-muted hover:bg-hover hover:text-fg">
              <X className="size-4" aria-hidden />
            </Dialog.Close>
          </div>
          {description ? (
            <Dialog.Description className="mb-4 text-muted">{description}</Dialog.Description>
          ) : (
            <Dialog.Description className="sr-only">{title}</Dialog.Description>
          )}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}

interface ConfirmProps {
  open: boolean
  onOpenChange(open: boolean): void
  title: string
  children: ReactNode
  confirmLabel: string
  onConfirm(): void
  busy?: boolean
  error?: ReactNode
}

/** A confirmation for what cannot be undone: says what will go; Cancel has the focus. */
export function ConfirmDialog({ open, onOpenChange, title, children, confirmLabel, onConfirm, busy, error }: ConfirmProps) {
  return (
    <AlertDialog.Root open={open} onOpenChange={onOpenChange}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className={overlay} />
        <AlertDialog.Content className={content}>
          <AlertDialog.Title className="mb-3 text-[15px] font-semibold">{title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="space-y-2 text-fg">{children}</div>
          </AlertDialog.Description>
          {error}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel className="inline-flex h-8 items-center rounded-md border border-line-strong bg-panel px-3 hover:bg-hover">Cancel</AlertDialog.Cancel>
            <button
              type="button"
              disabled={busy}
              onClick={onConfirm}
              className="inline-flex h-8 items-center rounded-md bg-danger px-3 font-medium text-white hover:bg-danger-hover disabled:opacity-50"
            >
              {busy ? 'Deleting…' : confirmLabel}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}
