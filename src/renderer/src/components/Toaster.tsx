import { Toast } from 'radix-ui'
import { CircleAlert, CircleCheck, Info, X } from 'lucide-react'
import { useNotices } from '../store/notices'
import { cn } from '../lib/cn'
import { Advice } from './Advice'

/** Notices from the slice as toasts (errors stay until dismissed, the slice times out the rest). */
export function Toaster() {
  const notices = useNotices((s) => s.notices)
  const dismiss = useNotices((s) => s.dismiss)
  return (
    <Toast.Provider swipeDirection="right" label="Notification">
      {notices.map((n) => (
        <Toast.Root
          key={n.id}
          type={n.kind === 'error' ? 'foreground' : 'background'}
          duration={Infinity}
          onOpenChange={(open) => {
            if (!open) dismiss(n.id)
          }}
          className={cn(
            'flex w-[380px] items-start gap-2.5 rounded-lg border bg-panel p-3 shadow-pop',
            n.kind === 'error' ? 'border-danger/40' : 'border-line'
          )}
        >
          {n.kind === 'error' ? (
            <CircleAlert className="mt-px size-4 shrink-0 text-danger" aria-hidden />
          ) : n.kind === 'success' ? (
            <CircleCheck className="mt-px size-4 shrink-0 text-success" aria-hidden />
          ) : (
            <Info className="mt-px size-4 shrink-0 text-accent" aria-hidden />
          )}
          <div className="min-w-0 flex-1">
            <Toast.Title className="font-medium break-words">{n.title}</Toast.Title>
            {n.message ? (
              <Toast.Description className="mt-0.5 text-[12px] break-words text-muted">
                <Advice text={n.message} />
              </Toast.Description>
            ) : null}
          </div>
          <Toast.Close aria-label="Dismiss" className="inline-flex size-6 shrink-0 items-center justify-center rounded text-muted hover:bg-hover hover:text-fg">
            <X className="size-3.5" aria-hidden />
          </Toast.Close>
        </Toast.Root>
      ))}
      <Toast.Viewport className="fixed bottom-4 left-1/2 z-[60] flex max-h-screen -translate-x-1/2 flex-col gap-2 outline-none" />
    </Toast.Provider>
  )
}
