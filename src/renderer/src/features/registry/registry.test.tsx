import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Tooltip } from 'radix-ui'
import type { ReactNode } from 'react'
import { useImages } from '../../store/images'
import { useNotices } from '../../store/notices'
import { useRegistry } from '../../store/registry'
import { engineStatus, fail, fakeBerth, registryStatus, unreachableEngine } from '../../test/fake-berth'
import { RegistryHeader } from './RegistryHeader'
import { RegistryBanner } from './RegistryBanner'

const wrap = (ui: ReactNode) => render(<Tooltip.Provider>{ui}</Tooltip.Provider>)

describe('the registry bar', () => {
  it('shows a running registry, its address with a copy button, and a Stop registry button', async () => {
    const berth = fakeBerth({ 'registry.stop': () => registryStatus({ state: 'stopped' }) })
    useRegistry.setState({ status: registryStatus() })
    useImages.setState({ engine: engineStatus() })
    wrap(<RegistryHeader />)

    expect(screen.getByRole('status', { name: 'Registry running' })).toBeInTheDocument()
    expect(screen.getByText('localhost:5000')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Copy registry address' })).toBeInTheDocument()
    expect(screen.getByRole('status', { name: 'Docker engine reachable' })).toHaveTextContent('Docker 27.3.1')

    await userEvent.click(screen.getByRole('button', { name: 'Stop registry' }))
    expect(berth.inputs('registry.stop')).toHaveLength(1)
    expect(await screen.findByRole('button', { name: 'Start registry' })).toBeEnabled()
    expect(screen.getByRole('status', { name: 'Registry stopped' })).toBeInTheDocument()
  })

  it('says when the Docker engine is unreachable', () => {
    useRegistry.setState({ status: registryStatus() })
    useImages.setState({ engine: unreachableEngine() })
    wrap(<RegistryHeader />)
    expect(screen.getByRole('status', { name: 'Docker engine unreachable' })).toHaveTextContent('Docker unreachable')
  })

  it('turns a failed start into a readable notice, never silence', async () => {
    fakeBerth({
      'registry.start': () => fail('PORT_IN_USE', 'Port 5000 is used by AirPlay Receiver; choose another port in Settings (5001 is free).'),
      'registry.status': () => registryStatus({ state: 'stopped' })
    })
    useRegistry.setState({ status: registryStatus({ state: 'stopped' }) })
    wrap(<RegistryHeader />)
    await userEvent.click(screen.getByRole('button', { name: 'Start registry' }))
    const notice = useNotices.getState().notices.at(-1)
    expect(notice).toMatchObject({ kind: 'error', title: 'The registry did not start' })
    expect(notice?.message).toContain('5001 is free')
  })
})

describe('the banner under the bar', () => {
  it('offers one button to start a stopped registry and says the catalog stays browsable', async () => {
    const berth = fakeBerth({ 'registry.start': () => registryStatus() })
    useRegistry.setState({ status: registryStatus({ state: 'stopped' }) })
    wrap(<RegistryBanner />)
    expect(screen.getByText('The registry is stopped.')).toBeInTheDocument()
    expect(screen.getByText(/can still be browsed/)).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Start registry' }))
    expect(berth.inputs('registry.start')).toHaveLength(1)
  })

  it('shows why the registry failed to start', () => {
    useRegistry.setState({ status: registryStatus({ state: 'error', error: { code: 'PORT_IN_USE', message: 'Port 5000 is in use; try `--port 5001`.' } }) })
    wrap(<RegistryBanner />)
    const alert = screen.getByRole('alert')
    expect(within(alert).getByText('The registry could not start.')).toBeInTheDocument()
    expect(within(alert).getByText('--port 5001').tagName).toBe('CODE')
  })

  it('says when Berth’s service is gone', () => {
    useRegistry.setState({ status: registryStatus(), connection: 'lost' })
    wrap(<RegistryBanner />)
    expect(screen.getByRole('alert')).toHaveTextContent('Lost contact with Berth’s service.')
  })

  it('shows nothing while the registry runs', () => {
    useRegistry.setState({ status: registryStatus() })
    const { container } = wrap(<RegistryBanner />)
    expect(container).toBeEmptyDOMElement()
  })
})

describe('the traffic counter', () => {
  it('is there right after a reload: registry.status carries the counts so far', async () => {
    fakeBerth({ 'registry.status': () => registryStatus({ activity: { requests: 42, bytesIn: 12_300_000, bytesOut: 4_500_000, at: new Date().toISOString() } }) })
    useImages.setState({ engine: engineStatus() })
    await useRegistry.getState().load()
    wrap(<RegistryHeader />)
    expect(screen.getByText('42 requests')).toBeInTheDocument()
    expect(screen.getByText('12.3 MB')).toBeInTheDocument()
  })
})
