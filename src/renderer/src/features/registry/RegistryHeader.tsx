import { useState } from 'react'
import { Anchor, ArrowDown, ArrowUp, Container, Play, Settings as SettingsIcon, Square } from 'lucide-react'
import { Button, IconButton } from '../../components/Button'
import { CopyButton } from '../../components/CopyButton'
import { StatusDot } from '../../components/Badge'
import { Spinner } from '../../components/Spinner'
import { formatBytes } from '../../lib/format'
import { useImages } from '../../store/images'
import { useRegistry } from '../../store/registry'
import { SettingsDialog } from './SettingsDialog'
import { FolderStateBadges } from './FolderState'
import { ViewSwitch } from '../storage/ViewSwitch'

const STATE_TEXT = { running: 'Running', stopped: 'Stopped', starting: 'Starting…', stopping: 'Stopping…', error: 'Failed to start' } as const

/** The top bar: the registry's state and toggle, its address, its traffic, the Docker engine's state. */
export function RegistryHeader() {
  const status = useRegistry((s) => s.status)
  const pending = useRegistry((s) => s.pending)
  const activity = useRegistry((s) => s.activity)
  const start = useRegistry((s) => s.start)
  const stop = useRegistry((s) => s.stop)
  const engine = useImages((s) => s.engine)
  const [settingsOpen, setSettingsOpen] = useState(false)

  const state = status?.state ?? null
  // A data folder gone while serving is an error state of a registry that still listens (and answers 503).
  const folderGone = status?.error?.code === 'FOLDER_GONE'
  const running = state === 'running' || folderGone
  const busy = pending !== null || state === 'starting' || state === 'stopping'
  const tone = folderGone ? 'danger' : running ? 'success' : state === 'error' ? 'danger' : state === 'starting' || state === 'stopping' ? 'warning' : 'neutral'

  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b border-line bg-panel px-3">
      <div className="flex items-center gap-2 pr-1">
        <span className="flex size-7 items-center justify-center rounded-md bg-accent text-accent-fg">
          <Anchor className="size-4" aria-hidden />
        </span>
        <h1 className="text-[14px] font-semibold tracking-tight">Berth</h1>
      </div>

      <ViewSwitch />

      <div className="h-6 w-px bg-line" aria-hidden />

      <section aria-label="Registry" className="flex min-w-0 items-center gap-3">
        <div className="flex items-center gap-2" role="status" aria-label={`Registry ${status ? (folderGone ? 'waiting for its folder' : STATE_TEXT[status.state].toLowerCase()) : 'unknown'}`}>
          <StatusDot tone={tone} />
          <span className="font-medium whitespace-nowrap">Registry {status ? (folderGone ? 'waiting for its folder' : STATE_TEXT[status.state].toLowerCase()) : '…'}</span>
        </div>
        {status ? <FolderStateBadges status={status} /> : null}
        {running ? (
          <Button
            size="sm"
            onClick={() => void stop()}
            disabled={busy}
            icon={pending === 'stop' ? <Spinner className="size-3.5" /> : <Square className="size-3 fill-current" aria-hidden />}
          >
            Stop registry
          </Button>
        ) : (
          <Button
            size="sm"
            variant="primary"
            onClick={() => void start()}
            disabled={busy || !status}
            icon={pending === 'start' ? <Spinner className="size-3.5 text-accent-fg" /> : <Play className="size-3.5 fill-current" aria-hidden />}
          >
            Start registry
          </Button>
        )}
        {status ? (
          <div className="flex min-w-0 items-center gap-1 rounded-md border border-line bg-canvas py-0.5 pr-0.5 pl-2">
            <span className="text-[11px] text-subtle">Address</span>
            {running || status.port !== 0 ? (
              <>
                <code className={running ? 'truncate text-[12px]' : 'truncate text-[12px] text-subtle'} title={running ? status.url ?? undefined : 'Where the registry listens once started'}>
                  {status.pullHost}
                </code>
                <CopyButton text={status.pullHost} label="Copy registry address" size="xs" />
              </>
            ) : (
              <span className="pr-1.5 text-[12px] text-subtle" title="It takes a free port when it starts">
                a free port, once started
              </span>
            )}
          </div>
        ) : null}
      </section>

      <div className="ml-auto flex items-center gap-3">
        {running && activity && activity.requests > 0 ? (
          // Below 1280 px the bar has no room for it (the Activity view has every request).
          <div className="hidden items-center gap-2 text-[12px] whitespace-nowrap text-muted tabular-nums xl:flex" aria-label="Registry traffic since start">
            <span title="Received (pushes)" className="inline-flex items-center gap-0.5">
              <ArrowDown className="size-3" aria-hidden />
              {formatBytes(activity.bytesIn)}
            </span>
            <span title="Sent (pulls)" className="inline-flex items-center gap-0.5">
              <ArrowUp className="size-3" aria-hidden />
              {formatBytes(activity.bytesOut)}
            </span>
            <span>{activity.requests.toLocaleString()} requests</span>
          </div>
        ) : null}
        <div
          role="status"
          aria-label={engine ? (engine.reachable ? 'Docker engine reachable' : 'Docker engine unreachable') : 'Docker engine: checking'}
          className="flex items-center gap-2 rounded-md border border-line px-2 py-1 whitespace-nowrap"
          title={engine?.reachable ? `Docker ${engine.engineVersion ?? ''} at ${engine.endpoint?.address ?? ''}` : engine?.problem ?? undefined}
        >
          <Container className="size-3.5 text-muted" aria-hidden />
          <StatusDot tone={!engine ? 'neutral' : engine.reachable ? 'success' : 'danger'} />
          <span className="text-[12px]">
            {!engine ? 'Docker…' : engine.reachable ? 'Docker' : 'Docker unreachable'}
            {engine?.reachable && engine.engineVersion ? <span className="hidden xl:inline"> {engine.engineVersion}</span> : null}
          </span>
        </div>
        <IconButton label="Settings" onClick={() => setSettingsOpen(true)}>
          <SettingsIcon className="size-4" aria-hidden />
        </IconButton>
      </div>
      <SettingsDialog open={settingsOpen} onOpenChange={setSettingsOpen} />
    </header>
  )
}
