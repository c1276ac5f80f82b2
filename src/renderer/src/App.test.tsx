import { act, render, screen, within } from '@testing-library/react'
import { App } from './App'
import { bindStores } from './store/bind'
import { engineStatus, fakeBerth, localImage, registryStatus, repo, tag, manifest } from './test/fake-berth'

describe('the window', () => {
  it('loads every panel from the contract and follows events', async () => {
    const berth = fakeBerth({
      'registry.status': () => registryStatus(),
      'settings.get': () => ({ port: 5000, host: '127.0.0.1', dataDir: '/data', startOnLaunch: true, startAtLogin: false, transferPath: 'auto' as const, layerEncoding: 'auto' as const, manifestFormat: 'docker' as const }),
      'catalog.repositories': () => ({ total: 2, items: [repo('team/api'), repo('team/app')] }),
      'catalog.tags': () => [tag('1.0')],
      'catalog.manifest': () => manifest(),
      'docker.status': () => engineStatus(),
      'docker.images': () => [localImage(['app:1.2'])],
      'transfers.list': () => []
    })
    const unbind = bindStores()
    render(<App />)

    expect(await screen.findByRole('button', { name: 'Stop registry' })).toBeInTheDocument()
    expect(await screen.findByRole('option', { name: 'team/api' })).toHaveAttribute('aria-selected', 'true')
    expect(await screen.findByRole('listitem', { name: 'app:1.2' })).toBeInTheDocument()
    expect(await screen.findByRole('table', { name: 'Layers' })).toBeInTheDocument()

    act(() => berth.emit('registry.status', registryStatus({ state: 'stopped' })))
    expect(within(screen.getByRole('banner')).getByRole('button', { name: 'Start registry' })).toBeInTheDocument()
    expect(screen.getByText('The registry is stopped.')).toBeInTheDocument()
    unbind()
  })

  it('has an accessible name on every button', async () => {
    fakeBerth({
      'registry.status': () => registryStatus(),
      'settings.get': () => ({ port: 5000, host: '127.0.0.1', dataDir: '/data', startOnLaunch: true, startAtLogin: false, transferPath: 'auto' as const, layerEncoding: 'auto' as const, manifestFormat: 'docker' as const }),
      'catalog.repositories': () => ({ total: 1, items: [repo('team/app')] }),
      'catalog.tags': () => [tag('1.0')],
      'catalog.manifest': () => manifest(),
      'docker.status': () => engineStatus(),
      'docker.images': () => [localImage(['app:1.2'])],
      'transfers.list': () => []
    })
    const unbind = bindStores()
    render(<App />)
    await screen.findByRole('table', { name: 'Layers' })
    for (const button of screen.getAllByRole('button')) expect(button).toHaveAccessibleName()
    for (const input of screen.getAllByRole('searchbox')) expect(input).toHaveAccessibleName()
    unbind()
  })
})
