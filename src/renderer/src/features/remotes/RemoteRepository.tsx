import { useState } from 'react'
import { ArrowDownToLine, FolderGit2 } from 'lucide-react'
import { Button } from '../../components/Button'
import { CopyButton } from '../../components/CopyButton'
import { EmptyState } from '../../components/Panel'
import { useCatalog } from '../../store/catalog'
import { TagsArea } from '../catalog/RepositoryView'
import { TagDetail } from '../catalog/tag-detail/TagDetail'
import { CopyDialog, type CopyRequest } from './CopyDialog'

/** The middle of the Remotes view: the remote repository open, with the catalog's own tags table and tag detail. */
export function RemoteRepository() {
  const selected = useCatalog((s) => s.selected)
  const status = useCatalog((s) => s.status)
  const browse = useCatalog((s) => s.browse)
  if (!selected)
    return (
      <main aria-label="Remote repository" className="flex min-h-0 flex-1 items-center justify-center bg-canvas">
        <EmptyState icon={<FolderGit2 className="size-6" />} title={browse === 'by-name' ? 'Open a repository by its name' : status === 'ready' ? 'Select a repository' : 'Reading the registry…'} />
      </main>
    )
  return (
    <main aria-label={`Remote repository ${selected}`} className="flex min-h-0 min-w-0 flex-1 flex-col bg-panel">
      <Header name={selected} />
      <TagsArea emptyHint="Copy a tag of this Berth here with Copy to… on it, or push to it." />
      <TagDetail />
    </main>
  )
}

function Header({ name }: { name: string }) {
  const source = useCatalog((s) => s.source)
  const tags = useCatalog((s) => s.tags)
  const [copy, setCopy] = useState<CopyRequest | null>(null)
  const items = tags?.repository === name ? (tags.items ?? []) : []
  const address = `${source.address}/${name}`
  return (
    <div className="flex shrink-0 items-center gap-3 border-b border-line px-4 py-2.5">
      <div className="min-w-0 flex-1">
        <div className="flex items-center gap-1">
          <h2 className="truncate text-[15px] font-semibold" title={address}>
            {name}
          </h2>
          <CopyButton text={address} label="Copy repository address" size="xs" />
        </div>
        <p className="truncate text-[12px] text-muted">
          on {source.address}
          {tags?.items ? ` · ${items.length} ${items.length === 1 ? 'tag' : 'tags'}` : ''}
        </p>
      </div>
      <Button
        size="sm"
        disabled={items.length === 0}
        icon={<ArrowDownToLine className="size-3.5" aria-hidden />}
        onClick={() =>
          setCopy({
            direction: 'pull',
            repository: name,
            tags: items.map((t) => t.tag),
            initial: items.map((t) => t.tag),
            registry: { id: source.registry ?? '', address: source.address ?? '' },
            hasIndex: items.some((t) => t.kind === 'index')
          })
        }
      >
        Copy to Berth…
      </Button>
      {copy ? <CopyDialog request={copy} onClose={() => setCopy(null)} /> : null}
    </div>
  )
}
