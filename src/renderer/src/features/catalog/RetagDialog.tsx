import { useId, useState, type FormEvent } from 'react'
import { Button } from '../../components/Button'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { useCatalog } from '../../store/catalog'
import { notify } from '../../store/notices'
import { useRegistry } from '../../store/registry'
import { repositoryProblem, tagProblem } from '@shared/reference'

/** Retag / promote: the same manifest under another tag, in this or another repository (nothing is copied). */
export function RetagDialog({ open, onOpenChange, repository, reference }: { open: boolean; onOpenChange(open: boolean): void; repository: string; reference: string }) {
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Retag or promote" description="Gives this manifest another name. Layers are shared, so nothing is copied and the digest stays the same.">
      {open ? <RetagForm repository={repository} reference={reference} onDone={() => onOpenChange(false)} /> : null}
    </Modal>
  )
}

function RetagForm({ repository, reference, onDone }: { repository: string; reference: string; onDone(): void }) {
  const retag = useCatalog((s) => s.retag)
  const repositories = useCatalog((s) => s.repositories)
  const select = useCatalog((s) => s.select)
  const openReference = useCatalog((s) => s.openReference)
  const pullHost = useRegistry((s) => s.status?.pullHost ?? 'localhost')
  const listId = useId()
  const [targetRepository, setTargetRepository] = useState(repository)
  const [targetTag, setTargetTag] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const repoError = repositoryProblem(targetRepository)
  const tagError = tagProblem(targetTag)
  const same = targetRepository === repository && targetTag === reference

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (repoError || tagError || same) return
    setBusy(true)
    setError(null)
    try {
      const out = await retag({ repository, reference, targetRepository, targetTag })
      notify({ kind: 'success', title: `Tagged ${out.reference}` })
      select(targetRepository)
      openReference(targetTag)
      onDone()
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <p className="text-[12px] text-muted">
        From <code className="rounded bg-code px-1">{`${repository}:${reference}`}</code>
      </p>
      <div className="grid grid-cols-[1fr_150px] gap-3">
        <Field label="Target repository" value={targetRepository} list={listId} onChange={(e) => setTargetRepository(e.target.value.trim())} error={targetRepository ? repoError : null} mono />
        <datalist id={listId}>
          {repositories.slice(0, 500).map((r) => (
            <option key={r.name} value={r.name} />
          ))}
        </datalist>
        <Field label="New tag" value={targetTag} autoFocus placeholder="e.g. stable" onChange={(e) => setTargetTag(e.target.value.trim())} error={targetTag ? tagError : null} mono />
      </div>
      <code className="block rounded-md bg-code px-2 py-1.5 text-[12px] break-all">{`${pullHost}/${targetRepository || '…'}:${targetTag || '…'}`}</code>
      {same ? <p className="text-[12px] text-warning">That is the tag it already has.</p> : null}
      {error ? <InlineError title="Not retagged" message={<Advice text={error} />} /> : null}
      <div className="flex justify-end gap-2 pt-1">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy || !!repoError || !!tagError || same}>
          {busy ? 'Tagging…' : 'Retag'}
        </Button>
      </div>
    </form>
  )
}
