import { useState } from 'react'
import { Plus, Server, Trash2 } from 'lucide-react'
import type { SavedRegistry } from '@shared/model/remote'
import { IconButton } from '../../components/Button'
import { ConfirmDialog } from '../../components/Dialog'
import { StatusDot } from '../../components/Badge'
import { InlineError, PanelHeader } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { cn } from '../../lib/cn'
import { notify } from '../../store/notices'
import { useRemotes } from '../../store/remotes'

/** The saved registries: one is open below; add one, forget one. */
export function RegistryPicker({ onAdd }: { onAdd(): void }) {
  const saved = useRemotes((s) => s.saved) ?? []
  const selected = useRemotes((s) => s.selected)
  const select = useRemotes((s) => s.select)
  const tests = useRemotes((s) => s.tests)
  const [removing, setRemoving] = useState<SavedRegistry | null>(null)
  return (
    <section aria-labelledby="remotes-title" className="flex max-h-[40%] shrink-0 flex-col border-b border-line">
      <PanelHeader id="remotes-title" title="Registries" count={saved.length}>
        <IconButton label="Add a registry…" onClick={onAdd}>
          <Plus className="size-3.5" aria-hidden />
        </IconButton>
      </PanelHeader>
      {saved.length === 0 ? <p className="px-3 py-2 text-[12px] text-subtle">None saved yet: add your team’s registry with +.</p> : null}
      <ul aria-label="Saved registries" className={saved.length ? 'min-h-0 overflow-y-auto p-1.5' : 'hidden'}>
        {saved.map((r) => {
          const test = tests[r.id]
          const tone = !test?.result ? 'neutral' : test.result.reachable && !test.result.problem ? 'success' : 'danger'
          return (
            <li key={r.id} className="group flex items-center gap-1">
              <button
                type="button"
                aria-current={r.id === selected ? 'true' : undefined}
                onClick={() => select(r.id)}
                className={cn('flex min-w-0 flex-1 items-center gap-2 rounded-md px-2 py-1.5 text-left', r.id === selected ? 'bg-accent-soft' : 'hover:bg-hover')}
              >
                <Server className="size-3.5 shrink-0 text-muted" aria-hidden />
                <span className="min-w-0 flex-1">
                  <span className={cn('block truncate font-mono text-[12px] font-medium', r.id === selected && 'text-accent')} title={r.address}>
                    {r.address}
                  </span>
                  <span className="block text-[11px] text-subtle">
                    {r.username ? `as ${r.username}` : r.credentials === 'docker' ? 'docker login’s credentials' : 'anonymous'}
                    {r.tlsVerify ? '' : ' · TLS not verified'}
                  </span>
                </span>
                <StatusDot tone={tone} />
              </button>
              <IconButton label={`Forget ${r.address}…`} size="xs" className="opacity-0 group-hover:opacity-100 focus-visible:opacity-100" onClick={() => setRemoving(r)}>
                <Trash2 className="size-3.5" aria-hidden />
              </IconButton>
            </li>
          )
        })}
      </ul>
      {removing ? <ForgetDialog registry={removing} onClose={() => setRemoving(null)} /> : null}
    </section>
  )
}

function ForgetDialog({ registry, onClose }: { registry: SavedRegistry; onClose(): void }) {
  const remove = useRemotes((s) => s.remove)
  const [error, setError] = useState<string | null>(null)
  return (
    <ConfirmDialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Forget ${registry.address}?`}
      confirmLabel="Forget it"
      error={error ? <InlineError className="mt-3" title="Not forgotten" message={<Advice text={error} />} /> : null}
      onConfirm={async () => {
        try {
          await remove(registry.id)
          notify({ kind: 'success', title: `${registry.address} forgotten` })
          onClose()
        } catch (err) {
          setError(messageOf(err))
        }
      }}
    >
      <p>Berth forgets its address{registry.credentials === 'saved' ? ' and the password saved with it' : ''}. Nothing on the registry changes.</p>
    </ConfirmDialog>
  )
}

