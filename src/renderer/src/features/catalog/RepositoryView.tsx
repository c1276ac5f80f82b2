import { useState, type ReactNode } from 'react'
import { ArrowRightLeft, ArrowUpFromLine, FolderGit2, Tags, Trash2 } from 'lucide-react'
import { Button, IconButton } from '../../components/Button'
import { CopyButton } from '../../components/CopyButton'
import { EmptyState, InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Spinner } from '../../components/Spinner'
import { cn } from '../../lib/cn'
import type { Transfer } from '@shared/model/docker'
import { ProgressBar } from '../../components/ProgressBar'
import { formatBytes, formatDate, formatRelative, plural } from '../../lib/format'
import { useCatalog } from '../../store/catalog'
import { useImages } from '../../store/images'
import { useRegistry } from '../../store/registry'
import { runningPushTo, useTransfers } from '../../store/transfers'
import { useImageDrop } from '../images/drag'
import { DeleteRepositoryDialog } from '../storage/DeleteRepositoryDialog'
import { CopyDialog, type CopyRequest } from '../remotes/CopyDialog'
import { EmptyRegistry } from './EmptyRegistry'
import { TagDetail } from './tag-detail/TagDetail'
import { TagsTable } from './TagsTable'
import { UntaggedOnly } from './UntaggedOnly'

/** The middle of the window: the selected repository, its tags, the selected tag in detail. */
export function RepositoryView() {
  const status = useCatalog((s) => s.status)
  const total = useCatalog((s) => s.total)
  const selected = useCatalog((s) => s.selected)
  const creating = useTransfers((s) => (selected ? runningPushTo(s.byId, selected) !== null : false))

  if (status === 'ready' && total === 0 && !creating) return <EmptyRegistry />
  if (!selected) {
    return (
      <main aria-label="Repository" className="flex min-h-0 flex-1 items-center justify-center bg-canvas">
        {status === 'ready' ? (
          <EmptyState icon={<FolderGit2 className="size-6" />} title="Select a repository" />
        ) : status === 'error' ? (
          <EmptyState icon={<FolderGit2 className="size-6" />} title="No repositories to show" />
        ) : (
          <div role="status" className="flex items-center gap-2 text-muted">
            <Spinner /> Reading the catalog…
          </div>
        )}
      </main>
    )
  }
  return (
    <main aria-label={`Repository ${selected}`} className="flex min-h-0 min-w-0 flex-1 flex-col bg-panel">
      <RepositoryHeader name={selected} />
      <TagsArea />
      <TagDetail />
    </main>
  )
}

function RepositoryHeader({ name }: { name: string }) {
  const repo = useCatalog((s) => s.repositories.find((r) => r.name === name))
  const pullHost = useRegistry((s) => s.status?.pullHost ?? '')
  const openPush = useTransfers((s) => s.openPush)
  const engineUp = useImages((s) => s.engine?.reachable ?? false)
  const { over, props } = useImageDrop((image) => openPush({ image, repository: name }))
  const [deleting, setDeleting] = useState(false)
  const [copy, setCopy] = useState<CopyRequest | null>(null)
  const tags = useCatalog((s) => (s.tags?.repository === name ? s.tags.items : null))
  const untagged = useCatalog((s) => (s.untagged?.repository === name ? (s.untagged.items?.length ?? 0) : 0))
  const shared = repo ? repo.totalSize - repo.uniqueSize : 0
  // Sizes count what tags reach: a repository of untagged manifests only says how many, their rows their sizes.
  const summary = repo
    ? tags?.length === 0 && untagged > 0
      ? `0 tags, ${plural(untagged, 'untagged manifest')}`
      : `${plural(repo.tagCount, 'tag')} · ${formatBytes(repo.totalSize)}${shared > 0 ? (repo.uniqueSize > 0 ? ` (${formatBytes(repo.uniqueSize)} unique, ${formatBytes(shared)} shared with other repositories)` : ', all shared with other repositories') : ''}`
    : null
  return (
    <div {...props} className={cn('flex shrink-0 items-center gap-3 border-b border-line px-4 py-2.5', over && 'bg-accent-soft ring-2 ring-accent/40 ring-inset')}>
      <div className="min-w-0 flex-1">
        <div className="flex items-center gap-1">
          <h2 className="truncate text-[15px] font-semibold" title={`${pullHost}/${name}`}>
            {name}
          </h2>
          <CopyButton text={`${pullHost}/${name}`} label="Copy repository address" size="xs" />
        </div>
        {repo ? (
          <p className="text-[12px] text-muted">
            {summary}
            {repo.lastPush ? <span title={formatDate(repo.lastPush)}> · last push {formatRelative(repo.lastPush)}</span> : null}
          </p>
        ) : null}
      </div>
      <Button
        size="sm"
        disabled={!engineUp}
        title={engineUp ? 'Push a local image into this repository' : 'Docker is unreachable'}
        onClick={() => openPush({ image: null, repository: name })}
        icon={<ArrowUpFromLine className="size-3.5" aria-hidden />}
        className={over ? 'invisible' : undefined}
      >
        Push here…
      </Button>
      <Button
        size="sm"
        disabled={!tags?.length}
        title="Copy its tags to another registry, without Docker"
        className={over ? 'invisible' : undefined}
        icon={<ArrowRightLeft className="size-3.5" aria-hidden />}
        onClick={() => tags && setCopy({ direction: 'push', repository: name, tags: tags.map((t) => t.tag), initial: tags.map((t) => t.tag), hasIndex: tags.some((t) => t.kind === 'index') })}
      >
        Copy to…
      </Button>
      {copy ? <CopyDialog request={copy} onClose={() => setCopy(null)} /> : null}
      <IconButton label={`Delete repository ${name}…`} variant="ghost" className={over ? 'invisible' : undefined} onClick={() => setDeleting(true)}>
        <Trash2 className="size-3.5" aria-hidden />
      </IconButton>
      {deleting ? (
        <DeleteRepositoryDialog
          open
          onOpenChange={(open) => {
            if (!open) setDeleting(false)
          }}
          repository={name}
          tags={repo?.tagCount ?? 0}
          uniqueBytes={repo?.uniqueSize ?? 0}
        />
      ) : null}
    </div>
  )
}

/** The tags of the repository in scope (this Berth's, or a remote's inside CatalogScope); `emptyHint` says how one gets there. */
export function TagsArea({ emptyHint }: { emptyHint?: ReactNode }) {
  const tags = useCatalog((s) => s.tags)
  const loadTags = useCatalog((s) => s.loadTags)
  const pullHost = useRegistry((s) => s.status?.pullHost ?? 'localhost:5000')
  const push = useTransfers((s) => (tags ? runningPushTo(s.byId, tags.repository) : null))
  const local = useCatalog((s) => s.source.kind === 'local')
  const untagged = useCatalog((s) => (s.untagged && s.untagged.repository === tags?.repository ? s.untagged : null))
  if (!tags) return null
  const { items, loading, error, repository } = tags
  // Until its manifest lands, a repository being pushed for the first time has no tags or does not exist: that is its state, not an error.
  if (push && (!items || items.length === 0)) return <FirstPush transfer={push} repository={repository} />
  // No tags in this Berth: "no tags" only once it is known that no untagged manifest is left either (loadTags asks).
  const untaggedCount = items?.length === 0 ? (untagged?.items?.length ?? 0) : 0
  const lookingForUntagged = local && items?.length === 0 && !untagged?.items && !untagged?.error
  // As tall as its toolbar and rows (TagsTable), up to 45% of the pane: the detail below gets the rest.
  // Untagged manifests only: as tall as the note and the rows (they wrap at narrow widths), within the same limit.
  const height = items && items.length > 0 ? undefined : untaggedCount > 0 ? 'auto' : 150
  return (
    <div className="flex min-h-[72px] shrink grow-0 basis-auto flex-col" style={{ height, maxHeight: '45%' }}>
      {error && !items ? (
        <InlineError className="m-3" title={`Could not list the tags of ${repository}`} message={<Advice text={error} />} action={<Button size="sm" onClick={() => void loadTags(repository)}>Try again</Button>} />
      ) : !items ? (
        <div role="status" className="flex items-center gap-2 p-4 text-muted">
          <Spinner /> Loading tags…
        </div>
      ) : untaggedCount > 0 ? (
        <UntaggedOnly repository={repository} count={untaggedCount} />
      ) : lookingForUntagged ? (
        <div role="status" className="flex items-center gap-2 p-4 text-muted">
          <Spinner /> Loading tags…
        </div>
      ) : items.length === 0 && !loading ? (
        <EmptyState icon={<Tags className="size-6" />} title="No tags in this repository" className="flex-1">
          {emptyHint ?? (
            <>
              Drop a local image on it to push one, or run <code className="rounded bg-code px-1">{`docker push ${pullHost}/${repository}:<tag>`}</code>.
            </>
          )}
        </EmptyState>
      ) : (
        <TagsTable items={items} />
      )}
    </div>
  )
}

function FirstPush({ transfer: t, repository }: { transfer: Transfer; repository: string }) {
  const { current, total, percent, layersDone, layers } = t.overall
  return (
    <section aria-label={`First push into ${repository}`} className="flex min-h-[120px] flex-col items-center justify-center gap-2 px-6 py-6 text-center">
      <ArrowUpFromLine className="size-6 text-accent" aria-hidden />
      <p className="font-medium">First push in progress</p>
      <p className="max-w-md text-muted">
        <span className="font-mono text-[12px] break-all">{t.source}</span> is on its way into <span className="font-medium text-fg">{repository}</span>; its tags show here once the image is stored.
      </p>
      <ProgressBar value={total > 0 ? percent : null} running label={`Pushing ${t.source} into ${repository}`} className="mt-1 max-w-sm" />
      <p className="text-[12px] text-muted tabular-nums">
        {total > 0 ? `${percent}% · ${formatBytes(current)} of ${formatBytes(total)}` : 'Preparing…'} · {layersDone}/{layers} layers
      </p>
    </section>
  )
}
