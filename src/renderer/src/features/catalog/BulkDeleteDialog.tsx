import { useState } from 'react'
import type { TagSummary } from '@shared/model/catalog'
import { ConfirmDialog } from '../../components/Dialog'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { plural } from '../../lib/format'
import { useCatalog } from '../../store/catalog'
import { notify } from '../../store/notices'

/** What deleting these tags does to their images: each stays, tagged otherwise or reachable by digest. */
export function whatGoes(all: readonly TagSummary[], checked: readonly string[]): { keepTagged: number; untagged: number } {
  const chosen = new Set(checked)
  const digests = new Set(all.filter((t) => chosen.has(t.tag)).map((t) => t.digest))
  let keepTagged = 0
  for (const d of digests) if (all.some((t) => t.digest === d && !chosen.has(t.tag))) keepTagged++
  return { keepTagged, untagged: digests.size - keepTagged }
}

/** The confirmation of a bulk delete: the same "what goes" as a single tag's, for many. */
export function BulkDeleteDialog({ open, onOpenChange, repository, all, checked }: { open: boolean; onOpenChange(open: boolean): void; repository: string; all: readonly TagSummary[]; checked: string[] }) {
  const deleteTags = useCatalog((s) => s.deleteTags)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { keepTagged, untagged } = whatGoes(all, checked)
  const confirm = async () => {
    setBusy(true)
    setError(null)
    try {
      const { deleted, missing } = await deleteTags(repository, checked)
      notify({ kind: 'success', title: `Deleted ${plural(deleted.length, 'tag')} of ${repository}`, message: missing.length ? `Already gone: ${missing.join(', ')}` : undefined })
      onOpenChange(false)
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={(o) => {
        if (!o) setError(null)
        onOpenChange(o)
      }}
      title={`Delete ${plural(checked.length, 'tag')} of ${repository}?`}
      confirmLabel={`Delete ${plural(checked.length, 'tag')}`}
      busy={busy}
      error={error ? <InlineError className="mt-3" title="Not deleted" message={<Advice text={error} />} /> : null}
      onConfirm={() => void confirm()}
    >
      <p>These names go away; clients can no longer pull them:</p>
      <ul className="flex max-h-40 flex-wrap gap-1 overflow-y-auto" aria-label="Tags to delete">
        {checked.slice(0, 60).map((t) => (
          <li key={t}>
            <code className="rounded bg-danger-soft px-1.5 py-0.5 text-danger">{t}</code>
          </li>
        ))}
        {checked.length > 60 ? <li className="text-muted">and {checked.length - 60} more</li> : null}
      </ul>
      <p className="text-muted">
        {keepTagged > 0 ? `${plural(keepTagged, 'image')} ${keepTagged === 1 ? 'stays' : 'stay'}, still tagged otherwise. ` : ''}
        {untagged > 0 ? `${plural(untagged, 'image')} ${untagged === 1 ? 'stays' : 'stay'} reachable by digest (under Untagged) until you delete the manifest.` : ''}
      </p>
    </ConfirmDialog>
  )
}
