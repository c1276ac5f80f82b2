import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useCatalog } from '../../store/catalog'
import { useStorage, type ImportPreview } from '../../store/storage'
import { useView } from '../../store/view'
import { fail, fakeBerth, MB, registryStatus, registryVolume, storageUsage, verifyReport, digest } from '../../test/fake-berth'
import { FileDropZone, ImportDialog } from './ImportDialog'
import { StorageView } from './StorageView'
import { wrap, deferred } from '../../test/storage-view'

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
    // Its address and settings are fetched again; the catalog waits for the feed's `open` change.
    await waitFor(() => expect(berth.inputs('settings.get').length).toBeGreaterThan(0))
    expect(berth.inputs('catalog.repositories')).toHaveLength(0)
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

  it('asks before replacing a file that exists, then exports with overwrite', async () => {
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.export': (input) =>
        input.overwrite
          ? { file: input.file, bytes: 2 * MB, format: 'oci', images: [{ repository: 'team/api', tag: '1.0', digest: digest('a') }] }
          : fail('CONFLICT', `${input.file} already exists; choose another file name, or replace it (berth export --force).`, { file: input.file, exists: true })
    })
    wrap(<StorageView />)
    const card = await screen.findByRole('region', { name: 'Export and import' })
    await userEvent.type(within(card).getByLabelText('Tags or repositories'), 'team/api:1.0')
    await userEvent.type(within(card).getByLabelText('Save as'), '/tmp/images.tar')
    await userEvent.click(within(card).getByRole('button', { name: 'Export 1 reference' }))
    const alert = await within(card).findByRole('alert')
    expect(alert).toHaveTextContent('/tmp/images.tar already exists')
    expect(berth.inputs('storage.export')).toEqual([{ references: ['team/api:1.0'], file: '/tmp/images.tar', format: 'oci' }])
    await userEvent.click(within(alert).getByRole('button', { name: 'Replace the file' }))
    await waitFor(() => expect(berth.inputs('storage.export')).toHaveLength(2))
    expect(berth.inputs('storage.export')[1]).toEqual({ references: ['team/api:1.0'], file: '/tmp/images.tar', format: 'oci', overwrite: true })
    expect(await within(card).findByText('Exported 1 image (2.0 MB)')).toBeInTheDocument()
  })

  const previewed = (o: Partial<ImportPreview['images'][number]>): ImportPreview['images'][number] => ({
    repository: 'team/app',
    tag: '1.0',
    digest: null,
    config: digest('c'),
    platforms: [],
    destination: 'new-tag',
    current: null,
    ...o
  })

  it('shows what a .tar dropped onto the window holds and where it goes (uploaded first in a browser), and imports only on Import', async () => {
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.importPreview': ({ file }) => ({
        file,
        format: 'docker-archive',
        bytes: 24 * MB,
        images: [previewed({}), previewed({ tag: '1.1', destination: 'retag', current: digest('9') }), previewed({ repository: 'team/new', tag: 'latest', destination: 'new-repository' })],
        needsRepository: false
      }),
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
    const held = await within(dialog).findByRole('list', { name: 'Images in the archive' })
    expect(within(held).getAllByRole('listitem').map((l) => l.getAttribute('aria-label'))).toEqual([
      'team/app:1.0: new tag',
      `team/app:1.1: re-tagged: the tag now names ${digest('9').slice(0, 19)}`,
      'team/new:latest: new repository'
    ])
    expect(dialog).toHaveTextContent('A docker save archive, 24.0 MB: 3 images. Nothing is imported yet.')
    expect(berth.files).toEqual([file])
    expect(berth.inputs('storage.importPreview')).toEqual([{ file: '/home/dev/.config/Berth/registry/uploads/app.tar' }])
    expect(berth.inputs('storage.import')).toEqual([])

    await userEvent.click(within(dialog).getByRole('button', { name: 'Import 3 images' }))
    expect(await within(dialog).findByText('Imported 2 images: 6 blobs, 24.0 MB')).toBeInTheDocument()
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

  it('says in one sentence that a typed archive does not exist, with no form field shown or marked', async () => {
    const missing = 'There is no file or folder at /srv/nope.tar; check the path.'
    const berth = fakeBerth({ 'storage.usage': () => storageUsage(), 'storage.importPreview': () => fail('INVALID_INPUT', missing, { file: '/srv/nope.tar' }) })
    wrap(
      <>
        <StorageView />
        <ImportDialog />
      </>
    )
    const card = await screen.findByRole('region', { name: 'Export and import' })
    await userEvent.type(within(card).getByLabelText('Archive or folder'), '/srv/nope.tar')
    await userEvent.click(within(card).getByRole('button', { name: 'Import…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Import images' })
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(new RegExp(`^${missing.replace(/[.]/g, '\\.')}$`))
    expect(within(dialog).queryByRole('textbox')).not.toBeInTheDocument()
    expect(within(dialog).queryByText('Into repository')).not.toBeInTheDocument()
    expect(within(dialog).getByText('Close', { selector: 'button' })).toBeEnabled()
    expect(berth.inputs('storage.import')).toEqual([])
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

  it('imports by path from the keyboard; an archive that names no repository previews again with one before Import', async () => {
    const berth = fakeBerth({
      'storage.usage': () => storageUsage(),
      'storage.importPreview': ({ file, repository }) => ({
        file,
        format: 'oci-layout',
        bytes: 2 * MB,
        images: [
          previewed({ repository: repository ?? null, tag: repository ? 'latest' : null, digest: digest('a'), destination: repository ? 'new-repository' : 'unnamed' }),
          previewed({ repository: repository ?? null, tag: null, digest: digest('b'), destination: repository ? 'new-repository' : 'unnamed' })
        ],
        needsRepository: !repository
      }),
      'storage.import': (input) => ({ format: 'oci-layout', images: [{ repository: input.repository!, tag: 'latest', digest: digest('a') }, { repository: input.repository!, tag: null, digest: digest('b') }], blobs: 3, bytes: 2 * MB })
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
    const field = await within(dialog).findByLabelText('Into repository')
    expect(field).toHaveAttribute('aria-invalid', 'true')
    expect(within(dialog).getByRole('alert')).toHaveTextContent('The archive names no repository for 2 images: choose one.')
    expect(within(dialog).getByRole('button', { name: 'Import 2 images' })).toBeDisabled()
    await userEvent.type(field, 'team/layout')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Preview again' }))
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Import 2 images' })).toBeEnabled())
    expect(within(within(dialog).getByRole('list', { name: 'Images in the archive' })).getAllByRole('listitem')[1]).toHaveAccessibleName('team/layout@' + digest('b') + ': new repository')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Import 2 images' }))
    expect(await within(dialog).findByText('Imported 2 images: 3 blobs, 2.0 MB')).toBeInTheDocument()
    const imported = within(within(dialog).getByRole('list', { name: 'Imported images' })).getAllByRole('listitem')
    expect(imported[1]).toHaveTextContent(`team/layout@${digest('b').slice(0, 19)}untagged`)
    expect(berth.inputs('storage.importPreview')).toEqual([{ file: '/srv/layout' }, { file: '/srv/layout', repository: 'team/layout' }])
    expect(berth.inputs('storage.import')).toEqual([{ file: '/srv/layout', repository: 'team/layout' }])
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
