import { useState } from 'react'
import { Layers, Trash2 } from 'lucide-react'
import type { ManifestDetail } from '@shared/model/catalog'
import { formatReference } from '@shared/reference'
import { IconButton } from '../../components/Button'
import { CopyButton } from '../../components/CopyButton'
import { EmptyState, InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Spinner } from '../../components/Spinner'
import { cn } from '../../lib/cn'
import { formatBytes, formatDate, formatPlatform, formatRelative, shortDigest } from '../../lib/format'
import { messageOf } from '../../lib/client'
import { useCatalog } from '../../store/catalog'
import { notify } from '../../store/notices'
import { useRegistry } from '../../store/registry'
import { DeleteManifestDialog } from './DeleteDialogs'

/** Manifests no tag reaches: pullable by digest (the command is one click away), opened like a tag to inspect or delete. */
export function UntaggedTable() {
  const untagged = useCatalog((s) => s.untagged)
  const detail = useCatalog((s) => s.detail)
  const openReference = useCatalog((s) => s.openReference)
  const pullHost = useRegistry((s) => s.status?.pullHost ?? 'localhost:5000')
  if (!untagged || (!untagged.items && untagged.loading))
    return (
      <div role="status" className="flex items-center gap-2 p-4 text-muted">
        <Spinner /> Looking for untagged manifests…
      </div>
    )
  if (untagged.error && !untagged.items) return <InlineError className="m-3" title="Could not list the untagged manifests" message={<Advice text={untagged.error} />} />
  const items = untagged.items ?? []
  if (items.length === 0)
    return (
      <EmptyState icon={<Layers className="size-6" />} title="No untagged manifests" className="flex-1">
        Every manifest of {untagged.repository} has a tag (signatures and attestations show on the image they are about).
      </EmptyState>
    )
  return (
    <ul aria-label={`Untagged manifests of ${untagged.repository}`} className="min-h-0 flex-1 overflow-y-auto">
      {items.map((m) => {
        const selected = detail?.reference === m.digest
        const pull = `docker pull ${formatReference(pullHost, untagged.repository, m.digest)}`
        return (
          <li key={m.digest} aria-label={m.digest} className={cn('group grid grid-cols-[minmax(96px,1fr)_minmax(48px,1fr)_64px_96px_24px] items-center gap-3 border-b border-line/60 px-3 py-1.5', selected ? 'bg-accent-soft' : 'hover:bg-hover')}>
            <button
              type="button"
              onClick={() => openReference(m.digest)}
              className="min-w-0 truncate rounded text-left font-mono text-[12px] font-medium focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none"
              aria-label={`Open ${m.digest}`}
              title={m.digest}
            >
              {shortDigest(m.digest, 16)}
            </button>
            <span className="truncate text-[12px] text-muted" title={m.artifactType ?? m.mediaType}>
              {m.kind === 'index' ? `index · ${m.platforms.map(formatPlatform).join(', ')}` : m.kind === 'artifact' ? `artifact · ${m.artifactType}` : 'image'}
            </span>
            <span className="text-right text-[12px] tabular-nums">{formatBytes(m.size)}</span>
            <span className="flex items-center justify-end gap-0.5 text-[12px] text-muted" title={formatDate(m.pushedAt)}>
              {formatRelative(m.pushedAt)}
              <CopyButton text={pull} label={`Copy: ${pull}`} size="xs" />
            </span>
            <DeleteUntagged repository={untagged.repository} digest={m.digest} />
          </li>
        )
      })}
    </ul>
  )
}

/** Deletes one untagged manifest with the same confirmation as from its detail (what goes, its referrers). */
function DeleteUntagged({ repository, digest }: { repository: string; digest: string }) {
  const source = useCatalog((s) => s.source)
  const [data, setData] = useState<ManifestDetail | null>(null)
  const open = async () => {
    try {
      setData(await source.manifest(repository, digest))
    } catch (err) {
      notify({ kind: 'error', title: `Could not read ${shortDigest(digest)}`, message: messageOf(err) })
    }
  }
  return (
    <>
      <IconButton label={`Delete manifest ${digest}…`} size="xs" onClick={() => void open()}>
        <Trash2 className="size-3.5" aria-hidden />
      </IconButton>
      {data ? <DeleteManifestDialog open onOpenChange={(o) => !o && setData(null)} data={data} /> : null}
    </>
  )
}
