import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Tooltip } from 'radix-ui'
import type { ReactNode } from 'react'
import { useCatalog } from '../../store/catalog'
import { useRegistry } from '../../store/registry'
import { digest, fakeBerth, registryStatus, repo, tag } from '../../test/fake-berth'
import { RepositoryList } from './RepositoryList'
import { RepositoryView } from './RepositoryView'

// Tags at CI scale and repositories at scale, in jsdom with the fake transport.

const wrap = (ui: ReactNode) => render(<Tooltip.Provider>{ui}</Tooltip.Provider>)

function showTags(items: ReturnType<typeof tag>[], handlers: Parameters<typeof fakeBerth>[0] = {}) {
  const berth = fakeBerth({ 'catalog.tags': () => items, 'catalog.manifest': () => { throw new Error('not needed') }, ...handlers })
  useRegistry.setState({ status: registryStatus({ pullHost: 'localhost:5123' }) })
  useCatalog.setState({ status: 'ready', repositories: [repo('ci/app', { tagCount: items.length })], total: 1, selected: 'ci/app', tags: { repository: 'ci/app', items, loading: false, error: null } })
  wrap(<RepositoryView />)
  return berth
}

const shownTags = () => within(screen.getByRole('grid', { name: 'Tags of ci/app' })).queryAllByRole('row').slice(1).map((r) => r.getAttribute('aria-label'))

describe('tags at CI scale', () => {
  it('filters 600 tags as you type, rendering only a window of rows', async () => {
    const items = Array.from({ length: 600 }, (_, i) => tag(`build-${i}`, { digest: digest(String(i % 10)) }))
    showTags(items)
    expect(shownTags().length).toBeLessThan(40)
    await userEvent.type(screen.getByRole('searchbox', { name: 'Filter tags' }), 'build-59')
    expect(shownTags().sort()).toEqual(['build-59', ...Array.from({ length: 10 }, (_, i) => `build-59${i}`)].sort())
    expect(screen.getByText('11 of 600')).toBeInTheDocument()
    await userEvent.type(screen.getByRole('searchbox', { name: 'Filter tags' }), 'x')
    expect(screen.getByText('No tag matches “build-59x”.')).toBeInTheDocument()
  })

  it('sorts by version (v1.45 before v1.400, rc before release) and by build time', async () => {
    const items = ['v1.400', 'v1.45', 'latest', 'v1.45-rc.2', 'v1.45-rc.10', 'v2.0'].map((t, i) => tag(t, { created: `2026-11-0${i + 1}T00:00:00Z` }))
    showTags(items)
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Sort tags' }), 'Lowest version')
    expect(shownTags()).toEqual(['v1.45-rc.2', 'v1.45-rc.10', 'v1.45', 'v1.400', 'v2.0', 'latest'])
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Sort tags' }), 'Newest build')
    expect(shownTags()).toEqual(['v2.0', 'v1.45-rc.10', 'v1.45-rc.2', 'latest', 'v1.45', 'v1.400'])
    await userEvent.click(screen.getByRole('button', { name: 'Sort by created' }))
    expect(shownTags()[0]).toBe('v1.400')
  })

  it('deletes ticked tags in bulk after saying what goes, with one call', async () => {
    const items = [tag('pr-1', { digest: digest('1') }), tag('pr-2', { digest: digest('2') }), tag('stable', { digest: digest('2') }), tag('pr-3', { digest: digest('3') })]
    const berth = showTags(items, { 'catalog.deleteTags': ({ tags }) => ({ deleted: tags.filter((t) => t !== 'pr-3'), missing: ['pr-3'] }) })
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select pr-1' }))
    await userEvent.click(screen.getByRole('checkbox', { name: 'Select pr-2' }))
    // The keyboard ticks too: Space on the row that has the focus.
    act(() => useCatalog.getState().openReference('pr-3'))
    screen.getByRole('grid', { name: 'Tags of ci/app' }).focus()
    await userEvent.keyboard(' ')
    expect(screen.getByText('3 tags selected')).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Delete 3…' }))
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete 3 tags of ci/app?' })
    expect(within(within(dialog).getByRole('list', { name: 'Tags to delete' })).getAllByRole('listitem').map((l) => l.textContent)).toEqual(['pr-1', 'pr-2', 'pr-3'])
    expect(dialog).toHaveTextContent('1 image stays, still tagged otherwise.')
    expect(dialog).toHaveTextContent('2 images stay reachable by digest (under Untagged) until you delete the manifest.')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete 3 tags' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument())
    expect(berth.inputs('catalog.deleteTags')).toEqual([{ repository: 'ci/app', tags: ['pr-1', 'pr-2', 'pr-3'] }])
    // The change feed refreshes the table; the ticks of what went are gone, nothing was refetched by hand.
    expect(useCatalog.getState().checked).toEqual(['pr-3'])
    expect(berth.inputs('catalog.tags')).toEqual([])
  })

  it('lists untagged manifests with their digest pull command, and opens one like a tag', async () => {
    const berth = showTags([tag('1.0')], {
      'catalog.untagged': () => [{ digest: digest('9'), mediaType: 'application/vnd.oci.image.manifest.v1+json', kind: 'image', artifactType: null, size: 2_400_000, created: null, pushedAt: new Date().toISOString(), platforms: [] }]
    })
    await userEvent.click(screen.getByRole('button', { name: 'Untagged' }))
    const list = await screen.findByRole('list', { name: 'Untagged manifests of ci/app' })
    expect(within(list).getByRole('listitem')).toHaveTextContent('2.4 MB')
    expect(within(list).getByRole('button', { name: `Copy: docker pull localhost:5123/ci/app@${digest('9')}` })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Untagged 1' })).toHaveAttribute('aria-pressed', 'true')
    await userEvent.click(within(list).getByRole('button', { name: `Open ${digest('9')}` }))
    expect(useCatalog.getState().detail?.reference).toBe(digest('9'))
    expect(berth.inputs('catalog.untagged')).toEqual([{ repository: 'ci/app' }])
  })
})

describe('repositories at scale', () => {
  const items = ['team/repo-10', 'team/repo-2', 'tools', 'team/ml/train', 'team'].map((n, i) => repo(n, { totalSize: (i + 1) * 1_000_000, lastPush: `2026-11-0${i + 1}T00:00:00Z` }))
  const shown = () => within(screen.getByRole(useCatalog.getState().repoView === 'tree' ? 'tree' : 'listbox', { name: 'Repositories' })).getAllByRole(useCatalog.getState().repoView === 'tree' ? 'treeitem' : 'option').map((o) => o.getAttribute('aria-label'))

  it('sorts by name in natural order, by last push and by size', async () => {
    fakeBerth({ 'catalog.tags': () => [] })
    useCatalog.setState({ status: 'ready', repositories: items, total: items.length })
    wrap(<RepositoryList />)
    expect(shown()).toEqual(['team', 'team/ml/train', 'team/repo-2', 'team/repo-10', 'tools'])
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Sort repositories' }), 'Last push')
    expect(shown()).toEqual(['team', 'team/ml/train', 'tools', 'team/repo-2', 'team/repo-10'])
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Sort repositories' }), 'Size')
    await userEvent.click(screen.getByRole('button', { name: 'Order: descending' }))
    expect(shown()).toEqual(['team/repo-10', 'team/repo-2', 'tools', 'team/ml/train', 'team'])
  })

  it('shows namespaces as a tree that opens and closes by keyboard, and opens everything while searching', async () => {
    fakeBerth({ 'catalog.tags': () => [] })
    useCatalog.setState({ status: 'ready', repositories: items, total: items.length })
    wrap(<RepositoryList />)
    await userEvent.click(screen.getByRole('button', { name: 'Tree' }))
    expect(shown()).toEqual(['team', 'team/', 'tools'])
    expect(screen.getByRole('treeitem', { name: 'team/' })).toHaveTextContent('3 · 7.0 MB')
    screen.getByRole('tree', { name: 'Repositories' }).focus()
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{ArrowRight}')
    expect(shown()).toEqual(['team', 'team/', 'team/ml/', 'team/repo-2', 'team/repo-10', 'tools'])
    expect(screen.getByRole('treeitem', { name: 'team/repo-2' })).toHaveTextContent(/^repo-2/)
    await userEvent.keyboard('{ArrowLeft}')
    expect(shown()).toEqual(['team', 'team/', 'tools'])
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search repositories' }), 'train')
    expect(shown()).toEqual(['team/', 'team/ml/', 'team/ml/train'])
  })
})
