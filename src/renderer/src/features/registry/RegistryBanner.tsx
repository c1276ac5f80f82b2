import { CircleAlert, Play, PowerOff, WifiOff } from 'lucide-react'
import { Button } from '../../components/Button'
import { Advice } from '../../components/Advice'
import { useRegistry } from '../../store/registry'

/** Under the header: the registry is stopped or failed (one button to start), or the service is gone. */
export function RegistryBanner() {
  const status = useRegistry((s) => s.status)
  const error = useRegistry((s) => s.error)
  const connection = useRegistry((s) => s.connection)
  const pending = useRegistry((s) => s.pending)
  const start = useRegistry((s) => s.start)

  if (connection === 'lost' || (error && !status)) {
    return (
      <div role="alert" className="flex shrink-0 items-center gap-2 border-b border-danger/30 bg-danger-soft px-4 py-2">
        <WifiOff className="size-4 shrink-0 text-danger" aria-hidden />
        <p>
          <span className="font-medium">Lost contact with Berth’s service.</span>{' '}
          <span className="text-muted">{error ?? 'Reconnecting… If you started it with berth serve, check that it still runs.'}</span>
        </p>
      </div>
    )
  }
  if (!status || status.state === 'running' || status.state === 'starting') return null
  if (status.state === 'error') {
    return (
      <div role="alert" className="flex shrink-0 items-center gap-3 border-b border-danger/30 bg-danger-soft px-4 py-2">
        <CircleAlert className="size-4 shrink-0 text-danger" aria-hidden />
        <p className="min-w-0 flex-1">
          <span className="font-medium">The registry could not start.</span> <Advice text={status.error?.message ?? ''} />
        </p>
        <Button size="sm" variant="primary" disabled={pending !== null} onClick={() => void start()} icon={<Play className="size-3.5 fill-current" aria-hidden />}>
          Start registry
        </Button>
      </div>
    )
  }
  return (
    <div className="flex shrink-0 items-center gap-3 border-b border-warning/30 bg-warning-soft px-4 py-2">
      <PowerOff className="size-4 shrink-0 text-warning" aria-hidden />
      <p className="min-w-0 flex-1">
        <span className="font-medium">The registry is stopped.</span>{' '}
        <span className="text-muted">Docker and other clients cannot push or pull. What is stored can still be browsed below.</span>
      </p>
      <Button size="sm" variant="primary" disabled={pending !== null} onClick={() => void start()} icon={<Play className="size-3.5 fill-current" aria-hidden />}>
        Start registry
      </Button>
    </div>
  )
}
