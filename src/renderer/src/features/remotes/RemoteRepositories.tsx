import { useMemo, useState, type FormEvent } from 'react'
import { FolderGit2, RefreshCw } from 'lucide-react'
import { RepositoryName } from '@shared/model/catalog'
import { Button, IconButton } from '../../components/Button'
import { EmptyState, InlineError, PanelHeader } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Field } from '../../components/Field'
import { SearchField } from '../../components/SearchField'
import { cn } from '../../lib/cn'
import { filterRepositories, useCatalog } from '../../store/catalog'
import { LoadingRows, VirtualRepositories, type RepositoryRowProps } from '../catalog/RepositoryList'

/** A remote's repositories (inside its CatalogScope): listed from its catalog, or opened by a name typed in. */
export function RemoteRepositories() {
  const repositories = useCatalog((s) => s.repositories)
  const status = useCatalog((s) => s.status)
  const error = useCatalog((s) => s.error)
  const browse = useCatalog((s) => s.browse)
  const more = useCatalog((s) => s.more)
  const note = useCatalog((s) => s.note)
  const filter = useCatalog((s) => s.filter)
  const setFilter = useCatalog((s) => s.setFilter)
  const selected = useCatalog((s) => s.selected)
  const select = useCatalog((s) => s.select)
  const load = useCatalog((s) => s.loadRepositories)
  const loadMore = useCatalog((s) => s.loadMore)
  const visible = useMemo(() => filterRepositories(repositories, filter), [repositories, filter])

  return (
    <section aria-labelledby="remote-repositories-title" className="flex min-h-0 flex-1 flex-col">
      <PanelHeader id="remote-repositories-title" title="Repositories" count={status === 'ready' ? `${repositories.length.toLocaleString()}${more ? '+' : ''}` : undefined}>
        <IconButton label="Refresh the registry’s repositories" onClick={() => void load()}>
          <RefreshCw className="size-3.5" aria-hidden />
        </IconButton>
      </PanelHeader>
      {browse === 'by-name' ? <OpenByName note={note} /> : null}
      {browse === 'catalog' && repositories.length > 0 ? (
        <div className="shrink-0 border-b border-line p-2">
          <SearchField label="Search the registry’s repositories" value={filter} onChange={setFilter} />
        </div>
      ) : null}
      {status === 'error' && error ? (
        <InlineError className="m-2" title="Could not list its repositories" message={<Advice text={error} />} action={<Button size="sm" onClick={() => void load()}>Try again</Button>} />
      ) : null}
      {status === 'loading' || status === 'idle' ? <LoadingRows /> : null}
      {status === 'ready' && visible.length === 0 && browse === 'catalog' ? (
        <EmptyState icon={<FolderGit2 className="size-6" />} title={filter ? 'No repository matches' : 'No repositories there'} className="flex-1">
          {filter ? <>Nothing is named like “{filter}”.</> : 'Copy one of this Berth’s repositories to it (Copy to… on a tag), or push to it.'}
        </EmptyState>
      ) : null}
      {status === 'ready' && visible.length > 0 ? <VirtualRepositories items={visible} selected={selected} onSelect={select} Row={RemoteRow} rowHeight={36} /> : null}
      {more ? (
        <div className="shrink-0 border-t border-line p-2">
          <Button size="sm" className="w-full" onClick={() => void loadMore()}>
            Load more repositories
          </Button>
        </div>
      ) : null}
    </section>
  )
}

/** A registry without `_catalog` (Docker Hub, GHCR): name the repository to open. */
function OpenByName({ note }: { note: string | null }) {
  const openByName = useCatalog((s) => s.openByName)
  const [name, setName] = useState('')
  const check = RepositoryName.safeParse(name)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!check.success) return
    openByName(name)
    setName('')
  }
  return (
    <form onSubmit={submit} aria-label="Open a repository by name" className="flex shrink-0 flex-col gap-2 border-b border-line p-2">
      <p className="text-[12px] text-muted">{note ?? 'This registry does not list its repositories: type one’s name.'}</p>
      <div className="flex items-end gap-1.5">
        <Field label="Repository" placeholder="library/busybox" className="min-w-0 flex-1" value={name} onChange={(e) => setName(e.target.value.trim())} error={name && !check.success ? check.error.issues[0]?.message : null} mono />
        <Button type="submit" size="sm" className="mb-0.5" disabled={!check.success}>
          Open
        </Button>
      </div>
    </form>
  )
}

/** A remote registry says names only. */
function RemoteRow({ id, repo, index, total, selected, onSelect, style }: RepositoryRowProps) {
  return (
    <div style={style} className="px-1.5 py-0.5">
      <div
        id={id}
        role="option"
        aria-selected={selected}
        aria-label={repo.name}
        aria-posinset={index + 1}
        aria-setsize={total}
        onClick={onSelect}
        className={cn('flex h-full items-center rounded-md px-2', selected ? 'bg-accent-soft' : 'hover:bg-hover')}
      >
        <span className={cn('truncate font-medium', selected && 'text-accent')} title={repo.name}>
          {repo.name}
        </span>
      </div>
    </div>
  )
}
