import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Tooltip } from 'radix-ui'
import type { ReactNode } from 'react'
import { useCatalog } from '../../store/catalog'
import { useImages } from '../../store/images'
import { useRegistry } from '../../store/registry'
import { useTransfers } from '../../store/transfers'
import { digest, engineStatus, fail, fakeBerth, localImage, manifest, registryStatus, repo, tag, unreachableEngine } from '../../test/fake-berth'
import { IMAGE_MIME } from '../images/drag'
import { EmptyRegistry } from './EmptyRegistry'
import { RepositoryList } from './RepositoryList'
import { RepositoryView } from './RepositoryView'

const wrap = (ui: ReactNode) => render(<Tooltip.Provider>{ui}</Tooltip.Provider>)

function dataTransfer(ref: string) {
  const data: Record<string, string> = { [IMAGE_MIME]: ref }
  return { types: [IMAGE_MIME], getData: (k: string) => data[k] ?? '', setData: () => {}, dropEffect: 'none', effectAllowed: 'all' }
}

describe('the repository list', () => {
  it('shows skeleton rows while the catalog loads', () => {
    useCatalog.setState({ status: 'loading' })
    wrap(<RepositoryList />)
    expect(screen.getByRole('status', { name: 'Loading repositories' })).toBeInTheDocument()
  })

  it('shows a failed load with its advice and a way to retry', async () => {
    const berth = fakeBerth({ 'catalog.repositories': () => ({ total: 0, items: [] }) })
    useCatalog.setState({ status: 'error', error: 'Berth cannot write to the data folder /data (permission denied).' })
    wrap(<RepositoryList />)
    expect(screen.getByRole('alert')).toHaveTextContent('permission denied')
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(berth.inputs('catalog.repositories')).toHaveLength(1)
  })

  it('renders 10,000 repositories as a handful of rows and filters them as you type', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => repo(`team/service-${String(i).padStart(5, '0')}`, { tagCount: i % 7 }))
    useCatalog.setState({ status: 'ready', repositories: items, total: items.length })
    wrap(<RepositoryList />)
    const list = screen.getByRole('listbox', { name: 'Repositories' })
    const rendered = within(list).getAllByRole('option')
    expect(rendered.length).toBeGreaterThan(5)
    expect(rendered.length).toBeLessThan(40)
    expect(rendered[0]).toHaveAttribute('aria-setsize', '10000')

    await userEvent.type(screen.getByRole('searchbox', { name: 'Search repositories' }), '0999')
    const found = within(screen.getByRole('listbox', { name: 'Repositories' })).getAllByRole('option')
    expect(found.map((o) => o.getAttribute('aria-label'))).toEqual(['team/service-00999', ...Array.from({ length: 10 }, (_, i) => `team/service-0999${i}`)])
    expect(screen.getByText('11 of 10,000')).toBeInTheDocument()

    await userEvent.clear(screen.getByRole('searchbox', { name: 'Search repositories' }))
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search repositories' }), 'nothing-like-it')
    expect(screen.getByText('No repository matches')).toBeInTheDocument()
  })

  it('shows tag count, size with its unique part, and the last push', () => {
    useCatalog.setState({ status: 'ready', repositories: [repo('team/app', { tagCount: 3, totalSize: 12_400_000, uniqueSize: 2_100_000 })], total: 1 })
    wrap(<RepositoryList />)
    const option = screen.getByRole('option', { name: 'team/app' })
    expect(option).toHaveTextContent('3 tags')
    expect(option).toHaveTextContent('12.4 MB (2.1 MB unique)')
    expect(option).toHaveTextContent('just now')
  })

  it('moves the selection with the arrow keys', async () => {
    const berth = fakeBerth({ 'catalog.tags': () => [] })
    useCatalog.setState({ status: 'ready', repositories: [repo('a/repo-1'), repo('a/repo-10'), repo('a/repo-2')], total: 3, selected: 'a/repo-1' })
    wrap(<RepositoryList />)
    screen.getByRole('listbox', { name: 'Repositories' }).focus()
    await userEvent.keyboard('{ArrowDown}')
    // Natural order: repo-2 before repo-10.
    expect(screen.getByRole('option', { name: 'a/repo-2' })).toHaveAttribute('aria-selected', 'true')
    await userEvent.keyboard('{End}')
    expect(useCatalog.getState().selected).toBe('a/repo-10')
    expect(berth.inputs('catalog.tags').map((i) => i.repository)).toEqual(['a/repo-2', 'a/repo-10'])
  })

  it('opens the push confirmation when an image is dropped on a repository or on New repository', () => {
    useCatalog.setState({ status: 'ready', repositories: [repo('team/app')], total: 1 })
    wrap(<RepositoryList />)
    const option = screen.getByRole('option', { name: 'team/app' })
    fireEvent.dragOver(option, { dataTransfer: dataTransfer('app:1.2') })
    expect(option).toHaveTextContent('Drop to push to team/app')
    fireEvent.drop(option, { dataTransfer: dataTransfer('app:1.2') })
    expect(useTransfers.getState().draft).toEqual({ image: 'app:1.2', repository: 'team/app' })

    fireEvent.drop(screen.getByRole('region', { name: 'New repository drop target' }), { dataTransfer: dataTransfer('worker:2.0') })
    expect(useTransfers.getState().draft).toEqual({ image: 'worker:2.0', repository: null })
  })
})

describe('an empty registry', () => {
  it('gives the exact docker tag / docker push commands for its real address and a drop target', () => {
    useRegistry.setState({ status: registryStatus({ pullHost: 'localhost:5123' }) })
    useImages.setState({ engine: engineStatus(), images: [localImage(['localhost:5123/old:1']), localImage(['myorg/app:1.4'])] })
    wrap(<EmptyRegistry />)
    expect(screen.getByRole('heading', { name: 'Your registry is empty' })).toBeInTheDocument()
    const commands = within(screen.getByRole('list', { name: 'Commands to push an image' })).getAllByRole('listitem')
    expect(commands[0]).toHaveTextContent('docker tag myorg/app:1.4 localhost:5123/myorg/app:1.4')
    expect(commands[1]).toHaveTextContent('docker push localhost:5123/myorg/app:1.4')
    expect(screen.getByRole('button', { name: 'Copy: docker push localhost:5123/myorg/app:1.4' })).toBeInTheDocument()
    fireEvent.drop(screen.getByRole('region', { name: 'Drop an image to push it' }), { dataTransfer: dataTransfer('myorg/app:1.4') })
    expect(useTransfers.getState().draft).toEqual({ image: 'myorg/app:1.4', repository: null })
  })

  it('with the engine down, does not tell you to drag a local image (there is none to drag)', () => {
    useRegistry.setState({ status: registryStatus() })
    useImages.setState({ engine: unreachableEngine(), images: null })
    wrap(<EmptyRegistry />)
    expect(screen.queryByRole('region', { name: 'Drop an image to push it' })).toBeNull()
    expect(screen.getByRole('main', { name: 'Empty registry' })).not.toHaveTextContent(/drag/i)
    expect(screen.getByRole('list', { name: 'Commands to push an image' })).toBeInTheDocument()
  })

  it('warns that a stopped registry refuses pushes', () => {
    useRegistry.setState({ status: registryStatus({ state: 'stopped' }) })
    wrap(<EmptyRegistry />)
    expect(screen.getByText(/Start the registry first/)).toBeInTheDocument()
  })
})

function index() {
  return tag('3.0', {
    kind: 'index',
    mediaType: 'application/vnd.oci.image.index.v1+json',
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' }
    ],
    attestations: 2
  })
}

describe('the repository view', () => {
  const tags = [
    tag('1.0', { size: 3_000_000, pushedAt: '2026-01-03T00:00:00Z' }),
    tag('10.0', { size: 1_000_000, pushedAt: '2026-01-01T00:00:00Z', digest: digest('9') }),
    tag('2.0', { size: 2_000_000, pushedAt: '2026-01-02T00:00:00Z' })
  ]

  function setup(handlers: Parameters<typeof fakeBerth>[0] = {}) {
    const berth = fakeBerth({
      'catalog.tags': () => [...tags],
      'catalog.manifest': ({ reference }) => manifest({ tags: [reference] }),
      ...handlers
    })
    useRegistry.setState({ status: registryStatus() })
    useImages.setState({ engine: engineStatus(), images: [] })
    useCatalog.setState({ status: 'ready', repositories: [repo('team/app', { tagCount: 3 })], total: 1 })
    return berth
  }

  const tagNames = () => within(screen.getByRole('grid', { name: 'Tags of team/app' })).getAllByRole('row').slice(1).map((r) => r.getAttribute('aria-label'))

  it('lists the tags newest push first, sortable by name and size, and opens the first', async () => {
    const berth = setup()
    wrap(<RepositoryView />)
    act(() => useCatalog.getState().select('team/app'))
    await waitFor(() => expect(tagNames()).toEqual(['1.0', '2.0', '10.0']))
    expect(within(screen.getByRole('grid')).getByRole('columnheader', { name: /pushed/i })).toHaveAttribute('aria-sort', 'descending')
    await waitFor(() => expect(berth.inputs('catalog.manifest')[0]).toEqual({ repository: 'team/app', reference: '1.0' }))

    await userEvent.click(screen.getByRole('button', { name: 'Sort by tag' }))
    expect(tagNames()).toEqual(['1.0', '2.0', '10.0'])
    await userEvent.click(screen.getByRole('button', { name: 'Sort by tag' }))
    expect(tagNames()).toEqual(['10.0', '2.0', '1.0'])
    await userEvent.click(screen.getByRole('button', { name: 'Sort by size' }))
    expect(tagNames()).toEqual(['1.0', '2.0', '10.0'])
    expect(within(screen.getByRole('grid')).getByRole('columnheader', { name: /size/i })).toHaveAttribute('aria-sort', 'descending')
  })

  it('shows a 1,000-tag repository as a few rows', async () => {
    setup({ 'catalog.tags': () => Array.from({ length: 1000 }, (_, i) => tag(`build-${i}`)) })
    wrap(<RepositoryView />)
    act(() => useCatalog.getState().select('team/app'))
    const grid = await screen.findByRole('grid', { name: 'Tags of team/app' })
    expect(grid).toHaveAttribute('aria-rowcount', '1001')
    expect(within(grid).getAllByRole('row').length).toBeLessThan(50)
  })

  it('labels an index’s platforms and never shows attestations as unknown/unknown', async () => {
    setup({ 'catalog.tags': () => [index()] })
    wrap(<RepositoryView />)
    act(() => useCatalog.getState().select('team/app'))
    const row = await screen.findByRole('row', { name: '3.0' })
    expect(row).toHaveTextContent('linux: amd64, arm64/v8')
    expect(within(row).getByLabelText('2 build attestations')).toBeInTheDocument()
    expect(row).not.toHaveTextContent('unknown')
  })

  it('says when a repository has no tags, with the command to push one', async () => {
    const berth = setup({ 'catalog.tags': () => [], 'catalog.untagged': () => [] })
    wrap(<RepositoryView />)
    act(() => useCatalog.getState().select('team/app'))
    expect(await screen.findByText('No tags in this repository')).toBeInTheDocument()
    expect(screen.getByText('docker push localhost:5000/team/app:<tag>')).toBeInTheDocument()
    // It looked for untagged manifests before saying so.
    expect(berth.inputs('catalog.untagged')).toEqual([{ repository: 'team/app' }])
  })

  it('shows a repository whose tags were all deleted as its untagged manifests, pullable by digest, each with delete', async () => {
    const untagged = (c: string, size: number) => ({ digest: digest(c), mediaType: 'application/vnd.oci.image.manifest.v1+json', kind: 'image' as const, artifactType: null, size, created: null, pushedAt: new Date().toISOString(), platforms: [] })
    const berth = setup({
      'catalog.tags': () => [],
      'catalog.untagged': () => [untagged('1', 2_400_000), untagged('2', 1_100_000)],
      'catalog.manifest': ({ reference }) => manifest({ digest: reference, tags: [] }),
      'catalog.referrers': ({ repository, reference }) => ({ repository, digest: reference, items: [], deletable: 0 }),
      'catalog.deleteManifest': () => ({ ok: true as const, tags: [] })
    })
    useCatalog.setState({ repositories: [repo('team/app', { tagCount: 0 })] })
    wrap(<RepositoryView />)
    act(() => useCatalog.getState().select('team/app'))
    const state = await screen.findByRole('region', { name: 'Untagged manifests only in team/app' })
    expect(state).toHaveTextContent('No tags: team/app holds 2 untagged manifests')
    expect(state).toHaveTextContent('pullable by digest')
    expect(screen.queryByText('No tags in this repository')).not.toBeInTheDocument()
    expect(screen.getByRole('heading', { name: 'team/app' }).parentElement?.parentElement).toHaveTextContent('0 tags, 2 untagged manifests')
    const list = within(state).getByRole('list', { name: 'Untagged manifests of team/app' })
    expect(within(list).getAllByRole('listitem').map((r) => r.getAttribute('aria-label'))).toEqual([digest('1'), digest('2')])
    expect(within(list).getByRole('button', { name: `Copy: docker pull localhost:5000/team/app@${digest('1')}` })).toBeInTheDocument()

    await userEvent.click(within(list).getByRole('button', { name: `Delete manifest ${digest('2')}…` }))
    const dialog = await screen.findByRole('alertdialog')
    expect(dialog).toHaveTextContent('with no tag (none points to it)')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete manifest' }))
    await waitFor(() => expect(berth.inputs('catalog.deleteManifest')).toEqual([{ repository: 'team/app', digest: digest('2') }]))
  })

  it('shows why the tags could not be read', async () => {
    setup({ 'catalog.tags': () => fail('NOT_FOUND', 'There is no repository team/app in this registry.') })
    wrap(<RepositoryView />)
    act(() => useCatalog.getState().select('team/app'))
    expect(await screen.findByRole('alert')).toHaveTextContent('There is no repository team/app in this registry.')
  })

  it('refetches when any client pushes to the repository', async () => {
    const berth = setup()
    wrap(<RepositoryView />)
    act(() => useCatalog.getState().select('team/app'))
    await screen.findByRole('row', { name: '1.0' })
    tags.push(tag('3.0', { pushedAt: '2026-02-01T00:00:00Z' }))
    act(() => useCatalog.getState().invalidate({ repository: 'team/app', action: 'push', reference: '3.0' }))
    expect(await screen.findByRole('row', { name: '3.0' })).toBeInTheDocument()
    expect(berth.inputs('catalog.repositories').length).toBeGreaterThan(0)
    tags.pop()
  })
})
