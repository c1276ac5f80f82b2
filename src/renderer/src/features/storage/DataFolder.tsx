import { useState, type FormEvent } from 'react'
import { Container, FolderInput, FolderOpen, HardDrive, RefreshCw, Truck } from 'lucide-react'
import type { StorageUsage } from '@shared/model/storage'
import { Badge } from '../../components/Badge'
import { Button, IconButton } from '../../components/Button'
import { CopyButton } from '../../components/CopyButton'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { EmptyState, InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Spinner } from '../../components/Spinner'
import { cn } from '../../lib/cn'
import { formatBytes, plural } from '../../lib/format'
import { notify } from '../../store/notices'
import { useRegistry } from '../../store/registry'
import { useStorage, useStorageBusy } from '../../store/storage'
import { Card } from '../../components/Card'
import { OperationProgress } from './OperationProgress'
import { Outcome } from '../../components/Outcome'

/** Where the images live and how big that is; move it, open another one, adopt a registry:2 volume. */
export function DataFolder({ usage }: { usage: StorageUsage | null }) {
  const dataDir = useRegistry((s) => s.status?.dataDir) ?? usage?.dataDir ?? null
  const busy = useStorageBusy()
  const inspectFolder = useStorage((s) => s.inspectFolder)
  const resetFolder = useStorage((s) => s.resetFolder)
  const [moving, setMoving] = useState(false)
  const [opening, setOpening] = useState<string | null>(null)
  const open = (path: string) => {
    resetFolder()
    setOpening(path)
    if (path) void inspectFolder(path)
  }
  return (
    <Card id="storage-folder" title="Data folder">
      <div className="flex items-start gap-2">
        <HardDrive className="mt-1 size-4 shrink-0 text-muted" aria-hidden />
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-1">
            <code className="min-w-0 truncate text-[12px]" title={dataDir ?? undefined}>
              {dataDir ?? '…'}
            </code>
            {dataDir ? <CopyButton text={dataDir} label="Copy data folder path" size="xs" /> : null}
          </div>
          {usage ? (
            <p className="text-[12px] text-muted tabular-nums">
              {formatBytes(usage.totalBytes)} in the registry tree · {formatBytes(usage.volume.freeBytes)} free of {formatBytes(usage.volume.totalBytes)} on its volume
              {usage.lowSpace ? (
                <Badge tone="warning" className="ml-2">
                  low space
                </Badge>
              ) : null}
            </p>
          ) : null}
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button size="sm" onClick={() => setMoving(true)} disabled={busy} icon={<Truck className="size-3.5" aria-hidden />}>
          Move…
        </Button>
        <Button size="sm" onClick={() => open('')} disabled={busy} icon={<FolderOpen className="size-3.5" aria-hidden />}>
          Open another folder…
        </Button>
      </div>
      <DockerVolumes onOpen={open} />
      <MoveDialog open={moving} onOpenChange={setMoving} from={dataDir} />
      <OpenFolderDialog initial={opening} onClose={() => setOpening(null)} current={dataDir} />
    </Card>
  )
}

function MoveDialog({ open, onOpenChange, from }: { open: boolean; onOpenChange(open: boolean): void; from: string | null }) {
  const moved = useStorage((s) => s.moved)
  const moveFolder = useStorage((s) => s.moveFolder)
  const resetMove = useStorage((s) => s.resetMove)
  const [target, setTarget] = useState('')
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!target.trim() || moved.running) return
    void moveFolder(target.trim())
  }
  return (
    <Modal
      open={open}
      onOpenChange={(o) => {
        if (moved.running) return
        if (!o) resetMove()
        onOpenChange(o)
      }}
      title="Move the data folder"
      description="The registry pauses while Berth copies everything to the new folder and checks the copy; then it serves from there. The old folder is kept: delete it yourself once you are happy."
    >
      {moved.result ? (
        <div className="space-y-3">
          <Outcome tone="success" title={`Moved ${formatBytes(moved.result.bytes)} (${plural(moved.result.files, 'file')})`}>
            The registry now serves from <code className="rounded bg-code px-1 break-all">{moved.result.to}</code>. The old folder{' '}
            <code className="rounded bg-code px-1 break-all">{moved.result.from}</code> is kept; delete it when you no longer need it.
          </Outcome>
          <div className="flex justify-end">
            <Button variant="primary" onClick={() => onOpenChange(false)}>
              Done
            </Button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} className="space-y-3">
          {from ? (
            <p className="text-[12px] text-muted">
              From <code className="rounded bg-code px-1 break-all">{from}</code>
            </p>
          ) : null}
          <Field label="New folder" placeholder="/mnt/big-disk/berth" value={target} onChange={(e) => setTarget(e.target.value)} disabled={moved.running} hint="An empty or new folder; its parent must exist." mono autoFocus />
          {moved.running ? <OperationProgress operation="move" label="Moving the data folder" /> : null}
          {moved.error ? <InlineError title="Not moved" message={<Advice text={moved.error} />} /> : null}
          <div className="flex justify-end gap-2 pt-1">
            <Button onClick={() => onOpenChange(false)} disabled={moved.running}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" disabled={moved.running || !target.trim()} icon={moved.running ? <Spinner className="size-3.5 text-accent-fg" /> : undefined}>
              {moved.running ? 'Moving…' : 'Move'}
            </Button>
          </div>
        </form>
      )}
    </Modal>
  )
}

/** Open another folder: inspect it first (registry data? how many repositories?), then switch. */
function OpenFolderDialog({ initial, onClose, current }: { initial: string | null; onClose(): void; current: string | null }) {
  return (
    <Modal
      open={initial !== null}
      onOpenChange={(o) => {
        if (!o) onClose()
      }}
      title="Open another data folder"
      description="The registry switches to that folder: an existing registry:2 volume, another Berth folder, or a new empty one. Nothing is copied or deleted."
    >
      {initial !== null ? <OpenFolderForm initial={initial} onClose={onClose} current={current} /> : null}
    </Modal>
  )
}

function OpenFolderForm({ initial, onClose, current }: { initial: string; onClose(): void; current: string | null }) {
  const inspected = useStorage((s) => s.inspected)
  const opened = useStorage((s) => s.opened)
  const inspectFolder = useStorage((s) => s.inspectFolder)
  const resetFolder = useStorage((s) => s.resetFolder)
  const openFolder = useStorage((s) => s.openFolder)
  const [path, setPath] = useState(initial)
  // A volume's Open button has already asked to inspect its mountpoint.
  const [asked, setAsked] = useState<string | null>(initial || null)
  const folder = asked === path.trim() ? inspected.result : null
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!path.trim()) return
    setAsked(path.trim())
    void inspectFolder(path.trim())
  }
  return (
    <form onSubmit={submit} className="space-y-3">
      <div className="flex items-end gap-2">
        <Field
          className="flex-1"
          label="Folder"
          placeholder="/var/lib/docker/volumes/registry/_data"
          value={path}
          onChange={(e) => {
            setPath(e.target.value)
            if (inspected.result || inspected.error) resetFolder()
          }}
          mono
          autoFocus
        />
        <Button type="submit" disabled={!path.trim() || inspected.running} icon={inspected.running ? <Spinner className="size-3.5" /> : <FolderInput className="size-3.5" aria-hidden />}>
          Inspect
        </Button>
      </div>
      {inspected.error ? <InlineError title="Cannot use that folder" message={<Advice text={inspected.error} />} /> : null}
      {folder ? (
        <Outcome
          tone={folder.isRegistry ? 'success' : folder.bytes > 0 ? 'warning' : 'neutral'}
          title={folder.isRegistry ? `Registry data: ${plural(folder.repositories, 'repository', 'repositories')}, ${formatBytes(folder.bytes)}` : 'No registry data in this folder'}
        >
          {folder.dataDir === current
            ? 'This is the folder the registry serves now.'
            : folder.isRegistry
              ? 'The registry will serve these images; the current folder stays as it is.'
              : folder.bytes > 0
                ? `It holds ${formatBytes(folder.bytes)} of other files. Berth opens only an empty folder or one with registry data: choose another.`
                : 'The registry starts empty in it.'}
        </Outcome>
      ) : null}
      {opened.error ? <InlineError title="Not opened" message={<Advice text={opened.error} />} /> : null}
      <div className="flex justify-end gap-2 pt-1">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="primary"
          disabled={!folder || opened.running || folder.dataDir === current || (!folder.isRegistry && folder.bytes > 0)}
          icon={opened.running ? <Spinner className="size-3.5 text-accent-fg" /> : undefined}
          onClick={async () => {
            if (!folder) return
            if (await openFolder(folder.dataDir)) {
              notify({ kind: 'success', title: 'Data folder opened', message: `The registry serves \`${folder.dataDir}\` (${plural(folder.repositories, 'repository', 'repositories')}).` })
              onClose()
            }
          }}
        >
          {opened.running ? 'Opening…' : 'Open this folder'}
        </Button>
      </div>
    </form>
  )
}

function DockerVolumes({ onOpen }: { onOpen(path: string): void }) {
  const volumes = useStorage((s) => s.volumes)
  const loadVolumes = useStorage((s) => s.loadVolumes)
  const busy = useStorageBusy()
  const list = volumes.result
  return (
    <section aria-labelledby="storage-volumes-title" className="border-t border-line pt-3">
      <div className="mb-2 flex items-center gap-2">
        <Container className="size-3.5 text-muted" aria-hidden />
        <h3 id="storage-volumes-title" className="font-medium">
          Docker volumes with registry data
        </h3>
        {list ? (
          <IconButton label="Look again for Docker volumes" size="xs" className="ml-auto" onClick={() => void loadVolumes()} disabled={volumes.running}>
            <RefreshCw className={cn('size-3.5', volumes.running && 'animate-spin')} aria-hidden />
          </IconButton>
        ) : null}
      </div>
      {!list && !volumes.error ? (
        <div className="flex items-center gap-2">
          <Button size="sm" onClick={() => void loadVolumes()} disabled={volumes.running} icon={volumes.running ? <Spinner className="size-3.5" /> : undefined}>
            {volumes.running ? 'Looking…' : 'Find registry volumes'}
          </Button>
          <span className="text-[12px] text-subtle">Volumes and bind mounts of registry:2 containers, to adopt their images.</span>
        </div>
      ) : null}
      {volumes.error ? (
        <InlineError title="Could not list Docker’s volumes" message={<Advice text={volumes.error} />} action={<Button size="sm" onClick={() => void loadVolumes()}>Try again</Button>} />
      ) : null}
      {list && list.length === 0 ? (
        <EmptyState className="py-3" title="No Docker volume holds registry data">
          Volumes and bind mounts with a <code className="rounded bg-code px-1">docker/registry/v2</code> tree show here.
        </EmptyState>
      ) : null}
      {list && list.length > 0 ? (
        <ul aria-label="Docker volumes" className="space-y-1.5">
          {list.map((v) => (
            <li key={`${v.kind}-${v.name}`} aria-label={v.name} className="flex items-start gap-2 rounded-md border border-line bg-canvas px-2.5 py-2">
              <div className="min-w-0 flex-1">
                <div className="flex items-center gap-1.5">
                  <code className="truncate text-[12px] font-medium" title={v.name}>
                    {v.name}
                  </code>
                  <Badge>{v.kind === 'volume' ? 'volume' : 'bind mount'}</Badge>
                  {v.repositories !== null ? <span className="text-[11px] text-subtle">{plural(v.repositories, 'repository', 'repositories')}</span> : null}
                </div>
                <div className="truncate text-[11px] text-subtle" title={v.mountpoint ?? undefined}>
                  {v.mountpoint ?? 'On the engine’s machine, not on this one'}
                </div>
                {v.containers.length > 0 ? (
                  <div className="mt-0.5 truncate text-[11px] text-muted">
                    Used by{' '}
                    {v.containers.map((c, i) => (
                      <span key={c.id}>
                        {i > 0 ? ', ' : ''}
                        <span className="font-medium text-fg">{c.name}</span> ({c.image}, {c.state})
                      </span>
                    ))}
                  </div>
                ) : (
                  <div className="mt-0.5 text-[11px] text-muted">No container uses it</div>
                )}
              </div>
              {v.mountpoint ? (
                <Button size="sm" aria-label={`Open ${v.name}`} disabled={busy} onClick={() => onOpen(v.mountpoint!)}>
                  Open
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
