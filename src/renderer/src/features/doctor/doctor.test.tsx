import { act, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useDoctor } from '../../store/doctor'
import { useRegistry } from '../../store/registry'
import { fakeBerth, registryStatus } from '../../test/fake-berth'
import { doctorReport, vmReport } from '../../test/sharing-fixtures'
import { wrap } from '../../test/storage-view'
import { EmptyRegistry } from '../catalog/EmptyRegistry'
import { DoctorBanner } from './DoctorBanner'

describe('the daemon.json doctor banner', () => {
  it('says nothing when the engine will talk to the registry', async () => {
    fakeBerth({ 'docker.doctor': () => doctorReport({ ok: true, dockerError: null, fixes: [] }) })
    useRegistry.setState({ status: registryStatus() })
    wrap(<DoctorBanner />)
    await act(() => useDoctor.getState().check())
    expect(screen.queryByRole('region', { name: 'Docker and this registry' })).not.toBeInTheDocument()
  })

  it('explains plain HTTP on a LAN address and gives the merged daemon.json, what a restart means, and copy buttons', async () => {
    fakeBerth({ 'docker.doctor': () => doctorReport() })
    useRegistry.setState({ status: registryStatus({ host: '192.168.1.20', pullHost: '192.168.1.20:5000' }) })
    wrap(<DoctorBanner />)
    await act(() => useDoctor.getState().check())
    const banner = screen.getByRole('region', { name: 'Docker and this registry' })
    expect(banner).toHaveTextContent('Docker on this machine will not push to or pull from 192.168.1.20:5000 from a terminal yet.')
    expect(banner).toHaveTextContent('http: server gave HTTP response to HTTPS client')
    await userEvent.click(within(banner).getByRole('button', { name: 'Show the fix' }))
    const fix = within(banner).getByRole('listitem', { name: /Allow plain HTTP to 192\.168\.1\.20:5000/ })
    expect(fix).toHaveTextContent('Restarting the engine stops every running container')
    expect(within(fix).getByText(/"log-driver": "journald"/)).toBeInTheDocument()
    expect(within(fix).getByRole('button', { name: 'Copy the content of /etc/docker/daemon.json' })).toBeInTheDocument()
    expect(within(fix).getByRole('button', { name: 'Copy: sudo systemctl restart docker' })).toBeInTheDocument()

    await userEvent.click(within(banner).getByRole('button', { name: 'Dismiss for this address' }))
    expect(screen.queryByRole('region', { name: 'Docker and this registry' })).not.toBeInTheDocument()
  })

  it('for an engine in a VM says localhost in a terminal is the VM', async () => {
    fakeBerth({ 'docker.doctor': () => vmReport() })
    useRegistry.setState({ status: registryStatus() })
    wrap(<DoctorBanner />)
    await act(() => useDoctor.getState().check())
    expect(screen.getByRole('region', { name: 'Docker and this registry' })).toHaveTextContent('Docker runs in Docker Desktop: a docker push to localhost:5000 typed in a terminal will not reach Berth.')
  })

  it('stays away while the registry is stopped (the registry banner speaks then)', async () => {
    fakeBerth({ 'docker.doctor': () => doctorReport() })
    useRegistry.setState({ status: registryStatus({ state: 'stopped' }) })
    wrap(<DoctorBanner />)
    await act(() => useDoctor.getState().check())
    expect(screen.queryByRole('region', { name: 'Docker and this registry' })).not.toBeInTheDocument()
  })
})

describe('the empty registry for this engine', () => {
  it('shows localhost commands when the engine reaches it', async () => {
    fakeBerth({ 'docker.doctor': () => doctorReport({ registry: 'localhost:5000', ok: true, fixes: [], dockerError: null }) })
    useRegistry.setState({ status: registryStatus() })
    wrap(<EmptyRegistry />)
    await act(() => useDoctor.getState().check())
    expect(screen.getByRole('list', { name: 'Commands to push an image' })).toHaveTextContent('docker push localhost:5000/app:1.0')
  })

  it('shows what works from a VM engine: host.docker.internal and its insecure-registries line', async () => {
    fakeBerth({ 'docker.doctor': () => vmReport() })
    useRegistry.setState({ status: registryStatus() })
    wrap(<EmptyRegistry />)
    await act(() => useDoctor.getState().check())
    expect(screen.queryByRole('list', { name: 'Commands to push an image' })).not.toBeInTheDocument()
    expect(screen.getByText(/Docker runs in Docker Desktop/)).toBeInTheDocument()
    const fix = screen.getByRole('listitem', { name: /host\.docker\.internal:5000/ })
    expect(within(fix).getByRole('button', { name: 'Copy: docker push host.docker.internal:5000/app:1.0' })).toBeInTheDocument()
    expect(fix).toHaveTextContent('"insecure-registries": ["host.docker.internal:5000"]')
  })
})
