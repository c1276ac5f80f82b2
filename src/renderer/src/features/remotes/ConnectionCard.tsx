import { RefreshCw } from 'lucide-react'
import type { SavedRegistry } from '@shared/model/remote'
import { IconButton } from '../../components/Button'
import { PanelHeader } from '../../components/Panel'
import { Spinner } from '../../components/Spinner'
import { useRemotes } from '../../store/remotes'
import { TestResult } from './test-result'

const CREDENTIALS: Record<SavedRegistry['credentials'], string> = {
  saved: 'typed into Berth',
  docker: 'docker login’s (config.json or a credential helper)',
  none: 'none: anonymous'
}

/** How the open registry answers (remote.test), and where its credentials come from. */
export function ConnectionCard({ registry }: { registry: SavedRegistry }) {
  const test = useRemotes((s) => s.tests[registry.id])
  const retest = useRemotes((s) => s.test)
  return (
    <section aria-labelledby="connection-title" className="flex shrink-0 flex-col border-b border-line">
      <PanelHeader id="connection-title" title="Connection">
        <IconButton label={`Try ${registry.address} again`} onClick={() => void retest(registry.id)} disabled={test?.testing}>
          {test?.testing ? <Spinner className="size-3.5" /> : <RefreshCw className="size-3.5" aria-hidden />}
        </IconButton>
      </PanelHeader>
      <div className="flex flex-col gap-2 p-3 text-[12px]">
        {test?.result ? <TestResult result={test.result} /> : <p className="text-muted">Trying {registry.address}…</p>}
        <p className="text-muted">
          Credentials: {CREDENTIALS[registry.credentials]}
          {registry.username ? ` (${registry.username})` : ''}
          {registry.secretPersistence === 'session' ? ', for this session only' : ''}
        </p>
      </div>
    </section>
  )
}
