import { useEffect } from 'react'
import { RefreshCw } from 'lucide-react'
import { Button, IconButton } from '../../components/Button'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { useSharing } from '../../store/sharing'
import { Accounts } from './Accounts'
import { CaCard } from './CaCard'
import { OtherMachine } from './OtherMachine'
import { ShareOnNetwork } from './ShareOnNetwork'

/**
 * Sharing the registry with other machines: where it listens and how (TLS, anonymous pulls, one's own
 * certificate), who may use it, the CA to trust, and the exact steps on the other machine.
 */
export function SharingView() {
  const status = useSharing((s) => s.status)
  const error = useSharing((s) => s.error)
  const load = useSharing((s) => s.load)
  useEffect(() => {
    void load()
  }, [load])

  return (
    <main aria-label="Sharing" className="min-h-0 flex-1 overflow-y-auto bg-canvas">
      <div className="mx-auto flex max-w-[1680px] flex-col gap-4 p-4">
        <div className="flex items-center gap-3">
          <div className="min-w-0">
            <h2 className="text-[15px] font-semibold">Sharing</h2>
            <p className="text-[12px] text-muted">Let other machines, a Swarm or a Kubernetes cluster pull from this registry, safely.</p>
          </div>
          <IconButton label="Refresh sharing" className="ml-auto" onClick={() => void load()}>
            <RefreshCw className="size-3.5" aria-hidden />
          </IconButton>
        </div>
        {status === 'error' && error ? (
          <InlineError title="Could not read how the registry is shared" message={<Advice text={error} />} action={<Button size="sm" onClick={() => void load()}>Try again</Button>} />
        ) : null}
        {status === 'loading' || status === 'idle' ? (
          <div role="status" aria-label="Loading sharing" className="h-40 animate-pulse rounded-lg border border-line bg-panel" />
        ) : null}
        {status === 'ready' ? (
          <div className="grid grid-cols-2 items-start gap-4">
            <div className="flex min-w-0 flex-col gap-4">
              <ShareOnNetwork />
              <Accounts />
            </div>
            <div className="flex min-w-0 flex-col gap-4">
              <CaCard />
              <OtherMachine />
            </div>
          </div>
        ) : null}
      </div>
    </main>
  )
}
