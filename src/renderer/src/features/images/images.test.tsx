import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Tooltip } from 'radix-ui'
import type { ReactNode } from 'react'
import { bindStores } from '../../store/bind'
import { useCatalog } from '../../store/catalog'
import { useImages } from '../../store/images'
import { useRegistry } from '../../store/registry'
import { useTransfers } from '../../store/transfers'
import { engineStatus, fail, fakeBerth, localImage, registryStatus, repo, tag, unreachableEngine } from '../../test/fake-berth'
import { IMAGE_MIME } from './drag'
import { LocalImages } from './LocalImages'
import { PushDialog } from './PushDialog'

const wrap = (ui: ReactNode) => render(<Tooltip.Provider>{ui}</Tooltip.Provider>)

describe('local images', () => {
  it('lists one draggable row per tag, carrying the image reference', () => {
    useImages.setState({ engine: engineStatus(), images: [localImage(['app:1.2', 'app:latest']), localImage(['worker:2.0'], { id: 'sha256:' + 'b'.repeat(64) })] })
    wrap(<LocalImages />)
    const rows = within(screen.getByRole('list', { name: 'Local images' })).getAllByRole('listitem')
    expect(rows.map((r) => r.getAttribute('aria-label'))).toEqual(['app:1.2', 'app:latest', 'worker:2.0'])
    expect(rows[0]).toHaveAttribute('draggable', 'true')
    const setData = vi.fn()
    fireEvent.dragStart(rows[0], { dataTransfer: { setData, effectAllowed: 'all' } })
    expect(setData).toHaveBeenCalledWith(IMAGE_MIME, 'app:1.2')
    expect(useImages.getState().dragging).toBe('app:1.2')
  })

  it('filters images as you type', async () => {
    useImages.setState({ engine: engineStatus(), images: [localImage(['app:1.2']), localImage(['worker:2.0'])] })
    wrap(<LocalImages />)
    await userEvent.type(screen.getByRole('searchbox', { name: 'Filter local images' }), 'work')
    expect(within(screen.getByRole('list', { name: 'Local images' })).getAllByRole('listitem')).toHaveLength(1)
  })

  it('opens the push confirmation from the keyboard with Push…', async () => {
    useImages.setState({ engine: engineStatus(), images: [localImage(['app:1.2'])] })
    wrap(<LocalImages />)
    screen.getByRole('button', { name: 'Push app:1.2…' }).focus()
    await userEvent.keyboard('{Enter}')
    expect(useTransfers.getState().draft).toEqual({ image: 'app:1.2', repository: null })
  })

  it('says what was tried and how to fix it when the engine is unreachable', async () => {
    const berth = fakeBerth({ 'docker.status': () => engineStatus(), 'docker.images': () => [localImage(['app:1.2'])] })
    useImages.setState({ engine: unreachableEngine() })
    wrap(<LocalImages />)
    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent('Docker engine unreachable')
    expect(within(alert).getByText('sudo systemctl start docker').tagName).toBe('CODE')
    expect(screen.getByText('unix:///home/dev/.docker/desktop/docker.sock')).toBeInTheDocument()
    expect(screen.getByText(/registry keeps working without Docker/)).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Check again' }))
    expect(await screen.findByRole('listitem', { name: 'app:1.2' })).toBeInTheDocument()
    expect(berth.inputs('docker.status')).toHaveLength(1)
  })

  it('says so when Docker has no images', () => {
    useImages.setState({ engine: engineStatus(), images: [] })
    wrap(<LocalImages />)
    expect(screen.getByText('Docker has no images')).toBeInTheDocument()
  })
})

describe('the push confirmation', () => {
  function setup(draft: { image: string | null; repository: string | null }, handlers: Parameters<typeof fakeBerth>[0] = {}) {
    const berth = fakeBerth({ 'docker.push': ({ repository, tag }) => ({ transferId: 't1', reference: `localhost:5000/${repository}:${tag}` }), 'catalog.tags': () => [], ...handlers })
    useRegistry.setState({ status: registryStatus() })
    useImages.setState({ engine: engineStatus(), images: [localImage(['app:1.2']), localImage(['worker:2.0'])] })
    useCatalog.setState({ status: 'ready', repositories: [repo('team/app')], total: 1 })
    useTransfers.setState({ draft })
    wrap(<PushDialog />)
    return berth
  }

  it('defaults to the image’s own tag on the repository it was dropped on, and pushes', async () => {
    const berth = setup({ image: 'app:1.2', repository: 'team/app' })
    const dialog = screen.getByRole('dialog', { name: 'Push to team/app' })
    expect(within(dialog).getByLabelText('Tag')).toHaveValue('1.2')
    expect(within(dialog).getByTestId('push-target')).toHaveTextContent('localhost:5000/team/app:1.2')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Push' }))
    await waitFor(() => expect(berth.inputs('docker.push')).toEqual([{ image: 'app:1.2', repository: 'team/app', tag: '1.2' }]))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(useCatalog.getState().selected).toBe('team/app')
  })

  it('validates the tag as you type', async () => {
    setup({ image: 'app:1.2', repository: 'team/app' })
    const input = screen.getByLabelText('Tag')
    await userEvent.clear(input)
    await userEvent.type(input, '.hidden')
    expect(screen.getByRole('alert')).toHaveTextContent('A tag is letters, digits')
    expect(input).toHaveAttribute('aria-invalid', 'true')
    await userEvent.clear(input)
    await userEvent.type(input, 'v2')
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
    expect(screen.getByTestId('push-target')).toHaveTextContent('localhost:5000/team/app:v2')
  })

  it('asks a name for a new repository, suggested from the image, and checks it', async () => {
    const berth = setup({ image: 'registry.example.com/Org/Web:3.1', repository: null })
    const dialog = screen.getByRole('dialog', { name: 'Push an image' })
    const name = within(dialog).getByLabelText('Repository')
    expect(name).toHaveValue('org/web')
    expect(within(dialog).getByText('new repository')).toBeInTheDocument()
    await userEvent.clear(name)
    await userEvent.type(name, 'Bad Name')
    expect(within(dialog).getByRole('alert')).toHaveTextContent('A repository name is lowercase')
    await userEvent.clear(name)
    await userEvent.type(name, 'web/frontend')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Push' }))
    await waitFor(() => expect(berth.inputs('docker.push')).toEqual([{ image: 'registry.example.com/Org/Web:3.1', repository: 'web/frontend', tag: '3.1' }]))
  })

  it('understands a full reference pasted into Repository: the repository there, the tag in Tag, the address not doubled', async () => {
    const berth = setup({ image: 'app:1.2', repository: null })
    const dialog = screen.getByRole('dialog', { name: 'Push an image' })
    const name = within(dialog).getByLabelText('Repository')
    await userEvent.clear(name)
    await userEvent.paste('localhost:5420/foo:1')
    expect(name).toHaveValue('foo')
    expect(within(dialog).getByLabelText('Tag')).toHaveValue('1')
    expect(within(dialog).getByTestId('push-target')).toHaveTextContent('localhost:5000/foo:1')
    expect(within(dialog).getByTestId('push-target')).not.toHaveTextContent('localhost:5420')
    await userEvent.clear(name)
    await userEvent.paste('team/web')
    expect(name).toHaveValue('team/web')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Push' }))
    await waitFor(() => expect(berth.inputs('docker.push')).toEqual([{ image: 'app:1.2', repository: 'team/web', tag: '1' }]))
  })

  it('lets the keyboard path choose the image', async () => {
    const berth = setup({ image: null, repository: 'team/app' })
    await userEvent.selectOptions(screen.getByLabelText('Local image'), 'worker:2.0')
    expect(screen.getByLabelText('Tag')).toHaveValue('2.0')
    await userEvent.click(screen.getByRole('button', { name: 'Push' }))
    await waitFor(() => expect(berth.inputs('docker.push')[0]).toEqual({ image: 'worker:2.0', repository: 'team/app', tag: '2.0' }))
  })

  it('warns before replacing an existing tag', () => {
    fakeBerth({})
    useCatalog.setState({ tags: { repository: 'team/app', items: [tag('1.2')], loading: false, error: null } })
    setup({ image: 'app:1.2', repository: 'team/app' })
    expect(screen.getByText(/Replaces tag 1.2/)).toBeInTheDocument()
  })

  it('offers to start a stopped registry instead of pushing nowhere', async () => {
    const berth = setup({ image: 'app:1.2', repository: 'team/app' }, { 'registry.start': () => registryStatus() })
    useRegistry.setState({ status: registryStatus({ state: 'stopped' }) })
    expect(await screen.findByRole('button', { name: 'Push' })).toBeDisabled()
    await userEvent.click(screen.getByRole('button', { name: 'Start registry' }))
    expect(berth.inputs('registry.start')).toHaveLength(1)
    expect(await screen.findByRole('button', { name: 'Push' })).toBeEnabled()
  })

  it('keeps a refused push in the dialog with the service’s advice', async () => {
    setup({ image: 'app:1.2', repository: 'team/app' }, { 'docker.push': () => fail('DOCKER_FAILED', 'Docker refused: no such image app:1.2. Check the name with docker images.') })
    await userEvent.click(screen.getByRole('button', { name: 'Push' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Docker refused: no such image app:1.2')
    expect(screen.getByRole('dialog')).toBeInTheDocument()
  })
})

describe('local images follow the engine', () => {
  it('docker.imagesChanged refetches the list (a docker tag in a terminal shows without refresh)', async () => {
    let tags = ['app:1.2']
    const berth = fakeBerth({ 'docker.status': () => engineStatus(), 'docker.images': () => [localImage(tags)] })
    const unbind = bindStores()
    await waitFor(() => expect(useImages.getState().images?.[0]?.tags).toEqual(['app:1.2']))
    tags = ['app:1.2', 'app:latest']
    act(() => berth.emit('docker.imagesChanged', { actions: ['tag'] }))
    await waitFor(() => expect(useImages.getState().images?.[0]?.tags).toEqual(['app:1.2', 'app:latest']))
    unbind()
  })
})
