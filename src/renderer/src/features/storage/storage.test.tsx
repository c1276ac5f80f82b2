import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Tooltip } from 'radix-ui'
import type { ReactNode } from 'react'
import type { GcReport } from '@shared/model/storage'
import { App } from '../../App'
import { Toaster } from '../../components/Toaster'
import { bindStores } from '../../store/bind'
import { useCatalog } from '../../store/catalog'
import { useStorage } from '../../store/storage'
import { useView } from '../../store/view'
import {
  engineStatus,
  fail,
  fakeBerth,
  gcReport,
  MB,
  registryStatus,
  registryVolume,
  repo,
  retentionCandidates,
  storageUsage,
  verifyReport,
  digest
} from '../../test/fake-berth'
import { RepositoryView } from '../catalog/RepositoryView'
import { FileDropZone, ImportDialog } from './ImportDialog'
import { StorageView } from './StorageView'

const wrap = (ui: ReactNode) =>
  render(
    <Tooltip.Provider>
      {ui}
      <Toaster />
    </Tooltip.Provider>
  )

function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

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
    await waitFor(() => expect(berth.inputs('storage.usage').length).toBe(usageCalls + 1))
    expect(berth.inputs('storage.usage').at(-1)).toEqual({ fresh: true })
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

describe('the data folder', () => {
  it('inspects another folder before opening it', async () => {
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.inspectFolder': ({ dataDir }) => ({ dataDir, isRegistry: true, repositories: 5, bytes: 1_200_000_000 }),
      'storage.open': ({ dataDir }) => ({ dataDir, isRegistry: true, repositories: 5, bytes: 1_200_000_000 }),
      'registry.status': () => registryStatus(),
      'settings.get': () => ({ port: 5000, host: '127.0.0.1', dataDir: '/srv/registry', startOnLaunch: true, startAtLogin: false, transferPath: 'auto' as const, layerEncoding: 'auto' as const, manifestFormat: 'docker' as const }),
      'catalog.repositories': () => ({ total: 0, items: [] })
    })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('button', { name: 'Open another folder…' }))
    const dialog = screen.getByRole('dialog', { name: 'Open another data folder' })
    expect(within(dialog).getByRole('button', { name: 'Open this folder' })).toBeDisabled()
    await userEvent.type(within(dialog).getByLabelText('Folder'), '/srv/registry')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Inspect' }))
    expect(await within(dialog).findByText('Registry data: 5 repositories, 1.2 GB')).toBeInTheDocument()
    await userEvent.click(within(dialog).getByRole('button', { name: 'Open this folder' }))
    await waitFor(() => expect(berth.inputs('storage.open')).toEqual([{ dataDir: '/srv/registry' }]))
    expect(await screen.findByText('Data folder opened')).toBeInTheDocument()
    expect(berth.inputs('catalog.repositories')).toHaveLength(1)
  })

  it('says when a folder holds no registry data, and shows why one cannot be used', async () => {
    fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.inspectFolder': ({ dataDir }) =>
        dataDir === '/nope' ? fail('NOT_FOUND', 'There is no folder /nope.') : { dataDir, isRegistry: false, repositories: 0, bytes: 0 }
    })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('button', { name: 'Open another folder…' }))
    const dialog = screen.getByRole('dialog', { name: 'Open another data folder' })
    await userEvent.type(within(dialog).getByLabelText('Folder'), '/nope')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Inspect' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('There is no folder /nope.')
    await userEvent.clear(within(dialog).getByLabelText('Folder'))
    await userEvent.type(within(dialog).getByLabelText('Folder'), '/srv/empty')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Inspect' }))
    expect(await within(dialog).findByText('No registry data in this folder')).toBeInTheDocument()
    expect(dialog).toHaveTextContent('The registry starts empty in it.')
    expect(within(dialog).getByRole('button', { name: 'Open this folder' })).toBeEnabled()
  })

  it('does not offer to open a folder full of other files', async () => {
    fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.inspectFolder': ({ dataDir }) => ({ dataDir, isRegistry: false, repositories: 0, bytes: 4_000_000 }) })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('button', { name: 'Open another folder…' }))
    const dialog = screen.getByRole('dialog', { name: 'Open another data folder' })
    await userEvent.type(within(dialog).getByLabelText('Folder'), '/home/dev/Documents')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Inspect' }))
    expect(await within(dialog).findByText('No registry data in this folder')).toBeInTheDocument()
    expect(dialog).toHaveTextContent('It holds 4.0 MB of other files.')
    expect(within(dialog).getByRole('button', { name: 'Open this folder' })).toBeDisabled()
  })

  it('lists Docker volumes with registry data and opens one from its mountpoint', async () => {
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.dockerVolumes': () => [registryVolume(), registryVolume({ name: '/srv/remote', kind: 'bind', mountpoint: null, containers: [], repositories: null })],
      'storage.inspectFolder': ({ dataDir }) => ({ dataDir, isRegistry: true, repositories: 5, bytes: 300 * MB })
    })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('button', { name: 'Find registry volumes' }))
    const list = await screen.findByRole('list', { name: 'Docker volumes' })
    const volume = within(list).getByRole('listitem', { name: 'registry-data' })
    expect(volume).toHaveTextContent('Used by registry (registry:2, running)')
    expect(within(list).getByRole('listitem', { name: '/srv/remote' })).toHaveTextContent('not on this one')
    expect(within(list).queryByRole('button', { name: 'Open /srv/remote' })).not.toBeInTheDocument()
    await userEvent.click(within(volume).getByRole('button', { name: 'Open registry-data' }))
    const dialog = screen.getByRole('dialog', { name: 'Open another data folder' })
    expect(within(dialog).getByLabelText('Folder')).toHaveValue('/var/lib/docker/volumes/registry-data/_data')
    expect(await within(dialog).findByText('Registry data: 5 repositories, 300 MB')).toBeInTheDocument()
    expect(berth.inputs('storage.inspectFolder')).toEqual([{ dataDir: '/var/lib/docker/volumes/registry-data/_data' }])
  })

  it('shows Docker being unreachable where the volumes would be', async () => {
    fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.dockerVolumes': () => fail('DOCKER_UNREACHABLE', 'Cannot reach a Docker engine. Start it with `sudo systemctl start docker`.') })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('button', { name: 'Find registry volumes' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('sudo systemctl start docker')
  })

  it('moves it with progress, and says the old folder is kept', async () => {
    const done = deferred<{ from: string; to: string; bytes: number; files: number }>()
    const berth = fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.move': () => done.promise, 'registry.status': () => registryStatus(), 'settings.get': () => ({ port: 5000, host: '127.0.0.1', dataDir: '/mnt/big/berth', startOnLaunch: true, startAtLogin: false, transferPath: 'auto' as const, layerEncoding: 'auto' as const, manifestFormat: 'docker' as const }), 'catalog.repositories': () => ({ total: 0, items: [] }) })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('button', { name: 'Move…' }))
    const dialog = screen.getByRole('dialog', { name: 'Move the data folder' })
    expect(dialog).toHaveTextContent('The old folder is kept')
    await userEvent.type(within(dialog).getByLabelText('New folder'), '/mnt/big/berth')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Move' }))
    expect(berth.inputs('storage.move')).toEqual([{ target: '/mnt/big/berth' }])
    expect(within(dialog).getByRole('button', { name: 'Moving…' })).toBeDisabled()
    act(() => useStorage.getState().onProgress({ operation: 'move', phase: 'copying', done: 10, total: 40, item: 'blobs/sha256/ab', finished: false }))
    expect(within(dialog).getByRole('progressbar', { name: 'Moving the data folder: copying' })).toHaveAttribute('aria-valuenow', '25')
    await act(async () => done.resolve({ from: '/home/dev/.config/Berth/registry', to: '/mnt/big/berth', bytes: 182_400_000, files: 420 }))
    expect(await within(dialog).findByText('Moved 182 MB (420 files)')).toBeInTheDocument()
    expect(dialog).toHaveTextContent('The old folder /home/dev/.config/Berth/registry is kept')
  })
})

describe('export and import', () => {
  it('exports the repositories ticked in the list and tags typed in, to a tar in the chosen format', async () => {
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.export': (input) => ({ file: input.file, bytes: 104 * MB, format: input.format ?? 'oci', images: [{ repository: 'team/api', tag: '1.0', digest: digest('a') }, { repository: 'tools/ci', tag: 'latest', digest: digest('b') }] })
    })
    wrap(<StorageView />)
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Select team/api for export' }))
    const card = screen.getByRole('region', { name: 'Export and import' })
    expect(within(card).getByRole('list', { name: 'Selected for export' })).toHaveTextContent('team/api')
    await userEvent.type(within(card).getByLabelText('More tags or repositories'), 'tools/ci:latest')
    await userEvent.type(within(card).getByLabelText('Save as'), '/tmp/images.tar')
    await userEvent.click(within(card).getByRole('radio', { name: 'docker save' }))
    await userEvent.click(within(card).getByRole('button', { name: 'Export 2 references' }))
    await waitFor(() => expect(berth.inputs('storage.export')).toEqual([{ references: ['team/api', 'tools/ci:latest'], file: '/tmp/images.tar', format: 'docker' }]))
    expect(await within(card).findByText('Exported 2 images (104 MB)')).toBeInTheDocument()
  })

  it('imports a .tar dropped onto the window (its path, uploaded first in a browser)', async () => {
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.import': () => ({ format: 'docker-archive', images: [{ repository: 'team/app', tag: '1.0', digest: digest('a') }, { repository: 'team/app', tag: '1.1', digest: digest('b') }], blobs: 6, bytes: 24 * MB })
    })
    wrap(
      <>
        <FileDropZone>
          <p>window</p>
        </FileDropZone>
        <ImportDialog />
      </>
    )
    const file = new File(['tar bytes'], 'app.tar', { type: 'application/x-tar' })
    const zone = screen.getByText('window').parentElement!
    fireEvent.dragEnter(zone, { dataTransfer: { types: ['Files'], files: [file] } })
    expect(screen.getByText('Drop to import into the registry')).toBeInTheDocument()
    fireEvent.drop(zone, { dataTransfer: { types: ['Files'], files: [file] } })
    const dialog = await screen.findByRole('dialog', { name: 'Import images' })
    expect(await within(dialog).findByText('Imported 2 images: 6 blobs, 24.0 MB')).toBeInTheDocument()
    expect(berth.files).toEqual([file])
    expect(berth.inputs('storage.import')).toEqual([{ file: '/home/dev/.config/Berth/registry/uploads/app.tar' }])
    const imported = within(within(dialog).getByRole('list', { name: 'Imported images' })).getAllByRole('listitem')
    expect(imported.map((l) => l.querySelector('code')?.textContent)).toEqual(['team/app:1.0', 'team/app:1.1'])
    // From there to the catalog, on the imported tag.
    await userEvent.click(within(imported[1]).getByRole('button', { name: 'Show team/app:1.1' }))
    expect(useView.getState().view).toBe('catalog')
    expect(useCatalog.getState().selected).toBe('team/app')
    expect(useCatalog.getState().detail?.reference).toBe('1.1')
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('refuses a dropped file that is not a .tar, saying what it takes', async () => {
    const berth = fakeBerth({})
    wrap(
      <FileDropZone>
        <p>window</p>
      </FileDropZone>
    )
    fireEvent.drop(screen.getByText('window').parentElement!, { dataTransfer: { types: ['Files'], files: [new File(['x'], 'notes.txt')] } })
    expect(await screen.findByText('notes.txt is not a .tar archive')).toBeInTheDocument()
    expect(berth.inputs('storage.import')).toEqual([])
  })

  it('imports by path from the keyboard, and retries an archive that names no repository without sending it again', async () => {
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.import': (input) =>
        input.repository
          ? { format: 'oci-layout', images: [{ repository: input.repository, tag: 'latest', digest: digest('a') }, { repository: input.repository, tag: null, digest: digest('b') }], blobs: 3, bytes: 2 * MB }
          : fail('INVALID_INPUT', 'The archive names no repository: choose one.')
    })
    wrap(
      <>
        <StorageView />
        <ImportDialog />
      </>
    )
    const card = await screen.findByRole('region', { name: 'Export and import' })
    await userEvent.type(within(card).getByLabelText('Archive or folder'), '/srv/layout')
    await userEvent.click(within(card).getByRole('button', { name: 'Import…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Import images' })
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The archive names no repository: choose one.')
    await userEvent.type(within(dialog).getByLabelText('Into repository'), 'team/layout')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Try again' }))
    expect(await within(dialog).findByText('Imported 2 images: 3 blobs, 2.0 MB')).toBeInTheDocument()
    const imported = within(within(dialog).getByRole('list', { name: 'Imported images' })).getAllByRole('listitem')
    expect(imported[1]).toHaveTextContent(`team/layout@${digest('b').slice(0, 19)}untagged`)
    expect(within(imported[1]).getByRole('button', { name: `Show team/layout@${digest('b').slice(0, 19)}` })).toBeInTheDocument()
    expect(berth.inputs('storage.import')).toEqual([{ file: '/srv/layout' }, { file: '/srv/layout', repository: 'team/layout' }])
  })
})

describe('verify', () => {
  it('shows progress, then the broken blobs and the tags they break', async () => {
    const done = deferred<ReturnType<typeof verifyReport>>()
    fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.verify': () => done.promise })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Verify' })
    await userEvent.click(within(card).getByRole('button', { name: 'Verify blobs' }))
    expect(within(card).getByRole('button', { name: 'Verifying…' })).toBeDisabled()
    act(() => useStorage.getState().onProgress({ operation: 'verify', phase: 'hashing', done: 21, total: 42, finished: false }))
    expect(within(card).getByRole('progressbar', { name: 'Verify: hashing' })).toHaveAttribute('aria-valuenow', '50')
    await act(async () =>
      done.resolve(
        verifyReport({
          problems: [
            { digest: digest('7'), problem: 'corrupt', tags: ['team/api:1.0', 'team/api:latest'] },
            { digest: digest('8'), problem: 'missing', tags: ['team/web:2.0'] }
          ]
        })
      )
    )
    expect(await within(card).findByText('Checked 42 blobs: 2 problems')).toBeInTheDocument()
    const rows = within(within(card).getByRole('table', { name: 'Verification problems' })).getAllByRole('row').slice(1)
    expect(rows[0]).toHaveTextContent('corrupt')
    expect(rows[0]).toHaveTextContent('team/api:1.0, team/api:latest')
    expect(rows[1]).toHaveTextContent('missing')
  })

  it('says when every blob is intact', async () => {
    fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.verify': () => verifyReport() })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Verify' })
    await userEvent.click(within(card).getByRole('button', { name: 'Verify blobs' }))
    expect(await within(card).findByText('Checked 42 blobs (182 MB): all intact')).toBeInTheDocument()
  })
})
