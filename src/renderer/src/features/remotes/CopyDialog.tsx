import { useEffect, useState, type FormEvent } from 'react'
import { RepositoryName } from '@shared/model/catalog'
import { Button } from '../../components/Button'
import { Checkbox } from '../../components/Checkbox'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Select } from '../../components/Select'
import { call, messageOf } from '../../lib/client'
import { notify } from '../../store/notices'
import { useRemotes } from '../../store/remotes'
import { useView } from '../../store/view'

export interface CopyRequest {
  /** `push`: from this Berth to a registry ("Copy to…"); `pull`: from a registry into this Berth ("Copy to Berth…"). */
  direction: 'push' | 'pull'
  repository: string
  /** Every tag of the repository, to choose from. */
  tags: readonly string[]
  /** The ones ticked at first: the tag on screen, or all of them for a repository. */
  initial: readonly string[]
  /** The other registry: fixed when copying from it; chosen among the saved ones when copying to one. */
  registry?: { id: string; address: string }
  /** Whether any of them is a multi-platform index (then "every platform" is offered ticked). */
  hasIndex?: boolean
}

/** Copies one tag or many between this Berth and another registry, without Docker: one transfer, progress on its card. */
export function CopyDialog({ request, onClose }: { request: CopyRequest; onClose(): void }) {
  const saved = useRemotes((s) => s.saved)
  const remotesStatus = useRemotes((s) => s.status)
  const loadRemotes = useRemotes((s) => s.load)
  const show = useView((s) => s.show)
  const [registry, setRegistry] = useState(request.registry?.id ?? '')
  const [target, setTarget] = useState(request.repository)
  const [picked, setPicked] = useState<string[]>([...request.initial])
  const [all, setAll] = useState(request.hasIndex ?? false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (request.direction === 'push' && remotesStatus === 'idle') void loadRemotes()
  }, [request.direction, remotesStatus, loadRemotes])
  const chosen = request.registry?.id ?? (registry || saved?.[0]?.id || '')
  const address = request.registry?.address ?? saved?.find((r) => r.id === chosen)?.address ?? ''
  const targetCheck = RepositoryName.safeParse(target)
  const targetError = targetCheck.success ? null : targetCheck.error.issues[0]?.message ?? 'Not a repository name.'
  const toBerth = request.direction === 'pull'

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!chosen || picked.length === 0 || targetError) return
    setBusy(true)
    setError(null)
    try {
      await call('remote.copy', {
        registry: chosen,
        direction: request.direction,
        images: picked.map((tag) => ({ repository: request.repository, reference: tag, ...(target !== request.repository ? { targetRepository: target } : {}) })),
        ...(all ? { all: true } : {})
      })
      notify({ kind: 'success', title: `Copying ${picked.length === 1 ? `${request.repository}:${picked[0]}` : `${picked.length} tags of ${request.repository}`}`, message: 'Its progress shows under Transfers.' })
      onClose()
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }

  const noRegistry = !toBerth && saved !== null && saved.length === 0
  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={toBerth ? `Copy ${request.repository} from ${address} to Berth` : `Copy ${request.repository} to another registry`}
      description="Blob by blob, without Docker: what the target holds already is skipped, digests stay the same."
    >
      {noRegistry ? (
        <div className="flex flex-col gap-3">
          <p>No registry is saved yet. Add one under Remotes (its address, and an account if it needs one), then copy.</p>
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button
              variant="primary"
              onClick={() => {
                onClose()
                show('remotes')
              }}
            >
              Go to Remotes
            </Button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-3">
          {toBerth ? null : (
            <Select label="To registry" value={chosen} onChange={setRegistry} options={(saved ?? []).map((r) => [r.id, r.address] as const)} />
          )}
          <Field
            label={toBerth ? 'Into repository (this Berth)' : `Into repository (${address || 'the registry'})`}
            value={target}
            onChange={(e) => setTarget(e.target.value.trim())}
            error={targetError}
            mono
          />
          <fieldset className="flex flex-col gap-1">
            <legend className="mb-1 text-[12px] font-medium text-muted">
              Tags ({picked.length} of {request.tags.length})
            </legend>
            <div className="flex gap-2 text-[12px]">
              <button type="button" className="text-accent hover:underline" onClick={() => setPicked([...request.tags])}>
                All
              </button>
              <button type="button" className="text-accent hover:underline" onClick={() => setPicked([])}>
                None
              </button>
            </div>
            <ul aria-label="Tags to copy" className="max-h-44 overflow-y-auto rounded-md border border-line p-2">
              {request.tags.map((t) => (
                <li key={t}>
                  <Checkbox label={t} checked={picked.includes(t)} onChange={(on) => setPicked(on ? [...picked, t] : picked.filter((p) => p !== t))} />
                </li>
              ))}
            </ul>
          </fieldset>
          <Checkbox label="Every platform of a multi-platform image" hint="Off: only this machine’s platform is copied out of an index." checked={all} onChange={setAll} />
          {error ? <InlineError title="The copy did not start" message={<Advice text={error} />} /> : null}
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={busy || !chosen || picked.length === 0 || !!targetError}>
              {busy ? 'Starting…' : picked.length > 1 ? `Copy ${picked.length} tags` : 'Copy'}
            </Button>
          </div>
        </form>
      )}
    </Modal>
  )
}
