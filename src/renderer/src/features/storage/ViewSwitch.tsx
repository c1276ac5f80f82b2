import { Activity, HardDrive, Library, Server, Share2 } from 'lucide-react'
import { cn } from '../../lib/cn'
import { useStorage } from '../../store/storage'
import { useView, type View } from '../../store/view'

const VIEWS: { view: View; label: string; icon: typeof Library }[] = [
  { view: 'catalog', label: 'Catalog', icon: Library },
  { view: 'storage', label: 'Storage', icon: HardDrive },
  { view: 'remotes', label: 'Remotes', icon: Server },
  { view: 'activity', label: 'Activity', icon: Activity },
  { view: 'sharing', label: 'Sharing', icon: Share2 }
]

/** Catalog | Storage | Remotes | Activity | Sharing, in the header: the current one marked (aria-current). */
export function ViewSwitch() {
  const view = useView((s) => s.view)
  const show = useView((s) => s.show)
  const lowSpace = useStorage((s) => s.usage?.lowSpace ?? false)
  return (
    <nav aria-label="Views" className="flex items-center gap-0.5 rounded-md border border-line bg-canvas p-0.5">
      {VIEWS.map(({ view: v, label, icon: Icon }) => (
        <button
          key={v}
          type="button"
          aria-current={view === v ? 'page' : undefined}
          onClick={() => show(v)}
          title={v === 'storage' && lowSpace ? 'Low disk space' : label}
          className={cn(
            'inline-flex h-6 items-center gap-1.5 rounded px-2 text-[12px] whitespace-nowrap transition-colors',
            view === v ? 'bg-accent-soft font-medium text-accent' : 'text-muted hover:bg-hover hover:text-fg'
          )}
        >
          <Icon className="size-3.5" aria-hidden />
          {/* Five views fit beside the registry bar: below 2xl only the current one spells its name. */}
          <span className={view === v ? undefined : 'sr-only 2xl:not-sr-only'}>{label}</span>
          {v === 'storage' && lowSpace ? <span className="size-1.5 rounded-full bg-warning" aria-hidden /> : null}
        </button>
      ))}
    </nav>
  )
}
