import { useEffect, useState } from 'react'
import type { ManifestDetail } from '@shared/model/catalog'
import { Checkbox } from '../../components/Checkbox'
import { ConfirmDialog } from '../../components/Dialog'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { call, messageOf } from '../../lib/client'
import { formatBytes, shortDigest } from '../../lib/format'
import { useCatalog } from '../../store/catalog'
import { notify } from '../../store/notices'

interface Props {
  open: boolean
  onOpenChange(open: boolean): void
  data: ManifestDetail
}

function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async (fn: () => Promise<void>, done: () => void) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
      done()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run, reset: () => setError(null) }
}

/** Deleting a tag removes a name; says whether the manifest stays (other tags) and how it can still be reached. */
export function DeleteTagDialog({ open, onOpenChange, data, tag }: Props & { tag: string }) {
  const deleteTag = useCatalog((s) => s.deleteTag)
  const { busy, error, run, reset } = useAction()
  const others = data.tags.filter((t) => t !== tag)
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={(o) => {
        if (!o) reset()
        onOpenChange(o)
      }}
      title={`Delete tag ${data.repository}:${tag}?`}
      confirmLabel="Delete tag"
      busy={busy}
      error={error ? <InlineError className="mt-3" title="Not deleted" message={<Advice text={error} />} /> : null}
      onConfirm={() =>
        run(
          async () => {
            await deleteTag(data.repository, tag)
            notify({ kind: 'success', title: `Deleted tag ${data.repository}:${tag}` })
          },
          () => onOpenChange(false)
        )
      }
    >
      <p>
        The name <code className="rounded bg-code px-1">{tag}</code> goes away; clients can no longer pull <code className="rounded bg-code px-1">{`${data.repository}:${tag}`}</code>.
      </p>
      <p className="text-muted">
        {others.length > 0
          ? `The image stays, still tagged ${others.join(', ')}.`
          : `The image itself (${shortDigest(data.digest)}) stays reachable by digest until you delete the manifest.`}
      </p>
    </ConfirmDialog>
  )
}

/** Deleting a manifest removes the image and every tag on it; lists them. */
export function DeleteManifestDialog({ open, onOpenChange, data }: Props) {
  const deleteManifest = useCatalog((s) => s.deleteManifest)
  const deleteWithReferrers = useCatalog((s) => s.deleteManifestWithReferrers)
  const { busy, error, run, reset } = useAction()
  // Its signatures, SBOMs and attestations go with it unless the person says otherwise (the collector keeps them together too).
  const [referrers, setReferrers] = useState<number | null>(null)
  const [withReferrers, setWithReferrers] = useState(true)
  useEffect(() => {
    if (!open) return
    let live = true
    call('catalog.referrers', { repository: data.repository, reference: data.digest })
      .then((r) => live && setReferrers(r.deletable))
      .catch(() => live && setReferrers(0))
    return () => {
      live = false
    }
  }, [open, data.repository, data.digest])
  const size = data.size + (data.config?.size ?? 0) + data.layers.reduce((n, l) => n + l.size, 0)
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={(o) => {
        if (!o) reset()
        onOpenChange(o)
      }}
      title={`Delete manifest ${shortDigest(data.digest)}?`}
      confirmLabel="Delete manifest"
      busy={busy}
      error={error ? <InlineError className="mt-3" title="Not deleted" message={<Advice text={error} />} /> : null}
      onConfirm={() =>
        run(
          async () => {
            const both = withReferrers && (referrers ?? 0) > 0
            const { tags, gone } = both ? await deleteWithReferrers(data.repository, data.digest).then((r) => ({ tags: r.tags, gone: r.referrers.length })) : { tags: await deleteManifest(data.repository, data.digest), gone: 0 }
            const message = [tags.length ? `Tags removed: ${tags.join(', ')}` : '', gone ? `with ${gone} signatures, SBOMs and attestations` : ''].filter(Boolean).join('; ')
            notify({ kind: 'success', title: `Deleted manifest ${shortDigest(data.digest)}`, message: message || undefined })
          },
          () => onOpenChange(false)
        )
      }
    >
      <p>
        The {data.kind === 'index' ? 'multi-platform image' : 'image'} <code className="rounded bg-code px-1">{`${data.repository}@${shortDigest(data.digest)}`}</code> is deleted from{' '}
        {data.repository}, with {data.tags.length === 0 ? 'no tag (none points to it)' : data.tags.length === 1 ? 'its tag' : `all ${data.tags.length} of its tags`}:
      </p>
      {data.tags.length > 0 ? (
        <ul className="flex flex-wrap gap-1">
          {data.tags.slice(0, 24).map((t) => (
            <li key={t}>
              <code className="rounded bg-danger-soft px-1.5 py-0.5 text-danger">{t}</code>
            </li>
          ))}
          {data.tags.length > 24 ? <li className="text-muted">and {data.tags.length - 24} more</li> : null}
        </ul>
      ) : null}
      {referrers ? (
        <Checkbox
          label={`Also delete its ${referrers} ${referrers === 1 ? 'signature, SBOM or attestation' : 'signatures, SBOMs and attestations'}`}
          hint="Left alone, they name an image that is gone; a collection with untagged manifests removes them later."
          checked={withReferrers}
          onChange={setWithReferrers}
        />
      ) : null}
      <p className="text-muted">Its layers ({formatBytes(size)}) are freed by garbage collection unless other images use them.</p>
    </ConfirmDialog>
  )
}
