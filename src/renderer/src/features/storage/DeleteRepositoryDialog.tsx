import { useState } from 'react'
import { ConfirmDialog } from '../../components/Dialog'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { formatBytes, plural } from '../../lib/format'
import { notify } from '../../store/notices'
import { useStorage } from '../../store/storage'
import { Checkbox } from '../../components/Checkbox'

interface Props {
  open: boolean
  onOpenChange(open: boolean): void
  repository: string
  tags: number
  /** What only this repository reaches: what deleting it frees. */
  uniqueBytes: number
}

/** Deleting a whole repository: how many tags go, what it frees, and whether to collect at once. */
export function DeleteRepositoryDialog({ open, onOpenChange, repository, tags, uniqueBytes }: Props) {
  const deleteRepository = useStorage((s) => s.deleteRepository)
  const [collect, setCollect] = useState(true)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={(o) => {
        if (busy) return
        if (!o) setError(null)
        onOpenChange(o)
      }}
      title={`Delete repository ${repository}?`}
      confirmLabel="Delete repository"
      busy={busy}
      error={error ? <InlineError className="mt-3" title="Not deleted" message={<Advice text={error} />} /> : null}
      onConfirm={async () => {
        setBusy(true)
        setError(null)
        try {
          const out = await deleteRepository(repository, collect)
          notify({
            kind: 'success',
            title: `Deleted ${repository}: ${plural(out.tags, 'tag')}`,
            message: collect ? `Freed ${formatBytes(out.freedBytes)}.` : `${formatBytes(uniqueBytes)} is freed at the next garbage collection.`
          })
          onOpenChange(false)
        } catch (err) {
          setError(messageOf(err))
        } finally {
          setBusy(false)
        }
      }}
    >
      <p>
        {tags === 0 ? 'It has no tag; its manifests and links go' : tags === 1 ? 'Its tag and its manifests go' : `All ${tags.toLocaleString()} of its tags and their manifests go`}: nothing can be pulled from{' '}
        <code className="rounded bg-code px-1">{repository}</code> any more.
      </p>
      <p className="text-muted">
        It frees <strong className="font-semibold text-fg">{formatBytes(uniqueBytes)}</strong> (the layers no other repository uses); shared layers stay.
      </p>
      <Checkbox label="Collect garbage now" hint="Frees the space at once; otherwise at the next collection." checked={collect} onChange={setCollect} disabled={busy} />
    </ConfirmDialog>
  )
}
