import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { GcReport } from '@shared/model/storage'
import { App } from '../../App'
import { bindStores } from '../../store/bind'
import { useCatalog } from '../../store/catalog'
import { engineStatus, fail, fakeBerth, gcReport, MB, registryStatus, repo, retentionCandidates, storageUsage, digest } from '../../test/fake-berth'
import { RepositoryView } from '../catalog/RepositoryView'
import { StorageView } from './StorageView'
import { wrap, deferred } from '../../test/storage-view'

describe('the storage view: usage', () => {
  it('shows a loading state until the usage answers', () => {
    fakeBerth({ 'storage.usage': () => new Promise(() => {}) })
    wrap(<StorageView />)
    expect(screen.getByRole('status', { name: 'Loading storage usage' })).toBeInTheDocument()
  })

  it('shows the usage picture with numbers, per repository unique and shared bytes, and a low-space warning', async () => {
    const berth = fakeBerth({ 'storage.usage': () => storageUsage({ lowSpace: true, volume: { freeBytes: 1_200_000_000, totalBytes: 500_000_000_000 } }) })
    wrap(<StorageView />)
    expect(await screen.findByRole('alert')).toHaveTextContent('Low disk space: 1.2 GB free of 500 GB')
    expect(berth.inputs('storage.usage')).toEqual([{ fresh: true }])
    expect(screen.getByRole('group', { name: 'Total on disk' })).toHaveTextContent('182 MB')
    expect(screen.getByRole('group', { name: 'Blobs' })).toHaveTextContent('42 blobs')
    expect(screen.getByRole('group', { name: 'Manifests' })).toHaveTextContent('1 untagged')
    expect(screen.getByRole('group', { name: 'Unreferenced blobs' })).toHaveTextContent('12.3 MB4 blobs: a collection frees them')
    expect(screen.getByRole('group', { name: 'Uploads' })).toHaveTextContent('1 abandoned')
    expect(screen.getByRole('group', { name: 'Free space' })).toHaveTextContent('1.2 GB')
    const tiles = within(screen.getByRole('list', { name: 'Repositories by size' })).getAllByRole('listitem')
    expect(tiles.map((t) => t.getAttribute('aria-label'))).toEqual([
      'team/api: 96.0 MB, 71.0 MB unique, 25.0 MB shared',
      'team/web: 58.0 MB, 33.0 MB unique, 25.0 MB shared',
      'tools/ci: 8.0 MB, 8.0 MB unique, 0 B shared'
    ])
    const row = within(screen.getByRole('list', { name: 'Repository sizes' })).getByRole('listitem', { name: 'team/api' })
    expect(row).toHaveTextContent('12 tags · 1 untagged')
    expect(row).toHaveTextContent('96.0 MB71.0 MB unique · 25.0 MB shared')
  })

  it('shows an empty registry calmly', async () => {
    fakeBerth({ 'storage.usage': () => storageUsage({ repositories: [], totalBytes: 0, blobs: { count: 0, bytes: 0 }, unreferenced: { count: 0, bytes: 0 } }) })
    wrap(<StorageView />)
    expect(await screen.findByText('No repositories yet')).toBeInTheDocument()
    expect(screen.getByRole('group', { name: 'Unreferenced blobs' })).toHaveTextContent('nothing to collect')
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('shows a failed read with the service’s advice and a way to retry', async () => {
    let n = 0
    const berth = fakeBerth({
      'storage.usage': () => (n++ === 0 ? fail('FOLDER_NOT_WRITABLE', 'Berth cannot read /data (permission denied). Check the folder’s owner.') : storageUsage())
    })
    wrap(<StorageView />)
    expect(await screen.findByRole('alert')).toHaveTextContent('permission denied')
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(await screen.findByRole('group', { name: 'Total on disk' })).toBeInTheDocument()
    expect(berth.inputs('storage.usage')).toHaveLength(2)
  })

  it('is reached from the header, and refreshes (debounced) when the catalog changes', async () => {
    const berth = fakeBerth({
      'registry.status': () => registryStatus(),
      'settings.get': () => ({ port: 5000, host: '127.0.0.1', dataDir: '/data', startOnLaunch: true, startAtLogin: false, transferPath: 'auto' as const, layerEncoding: 'auto' as const, manifestFormat: 'docker' as const }),
      'catalog.repositories': () => ({ total: 1, items: [repo('team/api')] }),
      'catalog.tags': () => [],
      'docker.status': () => engineStatus(),
      'docker.images': () => [],
      'transfers.list': () => [],
      'storage.usage': () => storageUsage()
    })
    const unbind = bindStores()
    wrap(<App />)
    const views = screen.getByRole('navigation', { name: 'Views' })
    expect(within(views).getByRole('button', { name: 'Catalog' })).toHaveAttribute('aria-current', 'page')
    expect(berth.inputs('storage.usage')).toHaveLength(0)
    await userEvent.click(within(views).getByRole('button', { name: 'Storage' }))
    expect(await screen.findByRole('main', { name: 'Storage' })).toBeInTheDocument()
    expect(within(views).getByRole('button', { name: 'Storage' })).toHaveAttribute('aria-current', 'page')
    await screen.findByRole('group', { name: 'Total on disk' })
    for (const button of screen.getAllByRole('button')) expect(button).toHaveAccessibleName()
    for (const box of screen.getAllByRole('checkbox')) expect(box).toHaveAccessibleName()
    for (const field of screen.getAllByRole('textbox')) expect(field).toHaveAccessibleName()

    vi.useFakeTimers()
    try {
      act(() => {
        berth.emit('catalog.changed', { repository: 'team/api', action: 'push', reference: '1.1' })
        berth.emit('catalog.changed', { repository: 'team/api', action: 'push', reference: '1.2' })
      })
      await act(async () => vi.advanceTimersByTimeAsync(1000))
    } finally {
      vi.useRealTimers()
    }
    expect(berth.inputs('storage.usage')).toHaveLength(2)
    unbind()
  })
})

describe('garbage collection', () => {
  it('a dry run lists what would go and what it frees, deleting nothing', async () => {
    const berth = fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.gc': () => gcReport() })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Garbage collection' })
    expect(card).toHaveTextContent('Now: 12.3 MB in 4 unreferenced blobs')
    await userEvent.click(within(card).getByRole('button', { name: 'Dry run' }))
    expect(await within(card).findByText('Dry run: a collection would free 12.3 MB: 4 blobs, 1 manifest')).toBeInTheDocument()
    expect(berth.inputs('storage.gc')).toEqual([{ dryRun: true, untagged: false, referrers: true }])
    const table = within(card).getByRole('table', { name: 'What a collection would delete' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows).toHaveLength(5)
    expect(rows[0]).toHaveTextContent('Manifest')
    expect(rows[1]).toHaveTextContent(`Blob${digest('1').slice(0, 19)}9.0 MBteam/api`)
  })

  it('asks for untagged manifests and keeps referrers only with them', async () => {
    const berth = fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.gc': () => gcReport() })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Garbage collection' })
    const referrers = within(card).getByRole('checkbox', { name: /Keep referrers/ })
    expect(referrers).toBeDisabled()
    await userEvent.click(within(card).getByRole('checkbox', { name: /Also delete untagged manifests/ }))
    expect(referrers).toBeEnabled()
    await userEvent.click(referrers)
    await userEvent.click(within(card).getByRole('button', { name: 'Dry run' }))
    await waitFor(() => expect(berth.inputs('storage.gc')).toEqual([{ dryRun: true, untagged: true, referrers: false }]))
  })

  it('collects after a confirmation that says what goes, with progress from events, then the result', async () => {
    const done = deferred<GcReport>()
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.gc': (input) => (input?.dryRun ? gcReport() : done.promise),
      'registry.status': () => registryStatus(),
      'settings.get': () => ({ port: 5000, host: '127.0.0.1', dataDir: '/data', startOnLaunch: true, startAtLogin: false, transferPath: 'auto' as const, layerEncoding: 'auto' as const, manifestFormat: 'docker' as const }),
      'catalog.repositories': () => ({ total: 0, items: [] }),
      'docker.status': () => engineStatus(),
      'docker.images': () => [],
      'transfers.list': () => []
    })
    const unbind = bindStores()
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Garbage collection' })
    await userEvent.click(within(card).getByRole('button', { name: 'Collect…' }))
    // No dry run yet: one is made to say exactly what goes.
    const confirm = await screen.findByRole('alertdialog', { name: 'Collect garbage?' })
    expect(confirm).toHaveTextContent('Deletes 4 blobs, 1 manifest for good, freeing 12.3 MB.')
    expect(berth.inputs('storage.gc')).toEqual([{ dryRun: true, untagged: false, referrers: true }])
    await userEvent.click(within(confirm).getByRole('button', { name: 'Collect' }))
    expect(berth.inputs('storage.gc')[1]).toEqual({ dryRun: false, untagged: false, referrers: true })

    expect(within(card).getByRole('button', { name: 'Dry run' })).toBeDisabled()
    expect(within(card).getByRole('button', { name: 'Collect…' })).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Move…' })).toBeDisabled()
    expect(within(card).getByRole('progressbar', { name: 'Garbage collection' })).not.toHaveAttribute('aria-valuenow')
    act(() => berth.emit('storage.progress', { operation: 'gc', phase: 'sweep', done: 2, total: 5, item: digest('1'), finished: false }))
    const bar = within(card).getByRole('progressbar', { name: 'Garbage collection: sweep' })
    expect(bar).toHaveAttribute('aria-valuenow', '40')
    expect(card).toHaveTextContent('2 of 5')

    const usageCalls = berth.inputs('storage.usage').length
    await act(async () => done.resolve(gcReport({ dryRun: false, durationMs: 1300 })))
    expect(await within(card).findByText('Freed 12.3 MB: 4 blobs, 1 manifest')).toBeInTheDocument()
    expect(card).toHaveTextContent('Collected in 1.3 s.')
    expect(within(card).getByRole('button', { name: 'Collect…' })).toBeEnabled()
    // The window does not refetch after its own call: the change feed's event does it.
    await new Promise((r) => setTimeout(r, 900))
    expect(berth.inputs('storage.usage').length).toBe(usageCalls)
    act(() => berth.emit('catalog.changed', { repository: '', action: 'collect' }))
    await waitFor(() => expect(berth.inputs('storage.usage').length).toBe(usageCalls + 1), { timeout: 2000 })
    unbind()
  })

  it('shows a failed collection in place, with the service’s message', async () => {
    fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.gc': () => fail('FOLDER_NOT_WRITABLE', 'Berth cannot delete blobs in /data: read-only file system.') })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Garbage collection' })
    await userEvent.click(within(card).getByRole('button', { name: 'Dry run' }))
    expect(await within(card).findByRole('alert')).toHaveTextContent('The dry run failedBerth cannot delete blobs in /data: read-only file system.')
  })
})

describe('deleting a repository', () => {
  it('names how many tags go and what it frees, and can collect at once', async () => {
    const berth = fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.deleteRepository': () => ({ tags: 4, freedBytes: 33 * MB }) })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('button', { name: 'Delete repository team/web…' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete repository team/web?' })
    expect(dialog).toHaveTextContent('All 4 of its tags and their manifests go')
    expect(dialog).toHaveTextContent('It frees 33.0 MB')
    expect(within(dialog).getByRole('checkbox', { name: /Collect garbage now/ })).toBeChecked()
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete repository' }))
    await waitFor(() => expect(berth.inputs('storage.deleteRepository')).toEqual([{ repository: 'team/web', collect: true }]))
    expect(await screen.findByText('Deleted team/web: 4 tags')).toBeInTheDocument()
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument()
  })

  it('is offered from the repository’s own view in the catalog too', async () => {
    const berth = fakeBerth({
      'storage.deleteRepository': () => ({ tags: 3, freedBytes: 0 }),
      // The view may refetch while the test clicks: answer what is on screen, not an empty registry.
      'catalog.repositories': () => ({ total: 1, items: [repo('team/app', { tagCount: 3, uniqueSize: 2_100_000 })] }),
      'catalog.tags': () => [],
      'storage.usage': () => storageUsage()
    })
    useCatalog.setState({ status: 'ready', total: 1, repositories: [repo('team/app', { tagCount: 3, uniqueSize: 2_100_000 })], selected: 'team/app', tags: { repository: 'team/app', items: [], loading: false, error: null } })
    wrap(<RepositoryView />)
    await userEvent.click(screen.getByRole('button', { name: 'Delete repository team/app…' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete repository team/app?' })
    expect(dialog).toHaveTextContent('All 3 of its tags and their manifests go')
    expect(dialog).toHaveTextContent('It frees 2.1 MB')
    await userEvent.click(within(dialog).getByRole('checkbox', { name: /Collect garbage now/ }))
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete repository' }))
    await waitFor(() => expect(berth.inputs('storage.deleteRepository')).toEqual([{ repository: 'team/app' }]))
    expect(await screen.findByText('Deleted team/app: 3 tags')).toBeInTheDocument()
    expect(screen.getByText('2.1 MB is freed at the next garbage collection.')).toBeInTheDocument()
  })

  it('keeps the confirmation open with the reason when it fails', async () => {
    fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.deleteRepository': () => fail('NOT_FOUND', 'There is no repository team/web any more.') })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('button', { name: 'Delete repository team/web…' }))
    const dialog = screen.getByRole('alertdialog')
    await userEvent.click(within(dialog).getByRole('checkbox', { name: /Collect garbage now/ }))
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete repository' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('There is no repository team/web any more.')
  })
})

describe('retention', () => {
  it('asks for keep-last or a date before previewing', async () => {
    const berth = fakeBerth({ 'storage.usage': () => storageUsage() })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Retention' })
    await userEvent.click(within(card).getByRole('button', { name: 'Preview' }))
    expect(within(card).getByRole('alert')).toHaveTextContent('Say what to drop')
    expect(berth.inputs('storage.retentionPreview')).toEqual([])
  })

  it('previews the tags a rule drops, then deletes exactly those', async () => {
    const candidates = retentionCandidates(3)
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.retentionPreview': () => candidates,
      'storage.retentionApply': () => ({ deleted: 2, skipped: 1 })
    })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Retention' })
    await userEvent.type(within(card).getByLabelText('Repositories'), 'team/*')
    await userEvent.type(within(card).getByLabelText('Tags'), 'pr-*')
    await userEvent.type(within(card).getByLabelText('Keep last'), '2')
    fireEvent.change(within(card).getByLabelText('Pushed before'), { target: { value: '2026-10-01' } })
    await userEvent.click(within(card).getByRole('button', { name: 'Preview' }))
    expect(await within(card).findByText('3 tags in 1 repository would go')).toBeInTheDocument()
    expect(berth.inputs('storage.retentionPreview')).toEqual([{ repositories: 'team/*', tags: 'pr-*', keepLast: 2, olderThan: new Date('2026-10-01T00:00:00').toISOString() }])
    const rows = within(within(card).getByRole('table', { name: 'Tags the rule would delete' })).getAllByRole('row').slice(1)
    expect(rows.map((r) => within(r).getAllByRole('cell')[1].textContent)).toEqual(['pr-100', 'pr-101', 'pr-102'])

    await userEvent.click(within(card).getByRole('button', { name: 'Delete these 3 tags' }))
    const confirm = screen.getByRole('alertdialog', { name: 'Delete 3 tags?' })
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete 3 tags' }))
    await waitFor(() => expect(berth.inputs('storage.retentionApply')).toEqual([{ tags: candidates }]))
    expect(await within(card).findByText('Deleted 2 tags')).toBeInTheDocument()
    expect(card).toHaveTextContent('1 tag skipped')
  })

  it('drops a preview as soon as the rule changes (what is shown is what goes)', async () => {
    fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.retentionPreview': () => retentionCandidates(2) })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Retention' })
    await userEvent.type(within(card).getByLabelText('Keep last'), '5')
    await userEvent.click(within(card).getByRole('button', { name: 'Preview' }))
    await within(card).findByRole('button', { name: 'Delete these 2 tags' })
    await userEvent.type(within(card).getByLabelText('Keep last'), '0')
    expect(within(card).queryByRole('button', { name: /Delete these/ })).not.toBeInTheDocument()
  })
})
