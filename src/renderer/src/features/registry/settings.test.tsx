import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useSettings } from '../../store/settings'
import { fail, fakeBerth } from '../../test/fake-berth'
import { SettingsDialog } from './SettingsDialog'

const settings = { port: 5000, host: '127.0.0.1', dataDir: '/home/dev/registry', startOnLaunch: true, startAtLogin: false, transferPath: 'auto' as const, layerEncoding: 'auto' as const, manifestFormat: 'docker' as const }

describe('registry settings', () => {
  it('saves only what changed and closes', async () => {
    const berth = fakeBerth({ 'settings.update': (patch) => ({ ...settings, ...patch }) })
    useSettings.setState({ settings })
    const onOpenChange = vi.fn()
    render(<SettingsDialog open onOpenChange={onOpenChange} />)
    const dialog = screen.getByRole('dialog', { name: 'Registry settings' })
    await userEvent.clear(within(dialog).getByLabelText('Port'))
    await userEvent.type(within(dialog).getByLabelText('Port'), '5050')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(berth.inputs('settings.update')).toEqual([{ port: 5050 }]))
    expect(onOpenChange).toHaveBeenCalledWith(false)
  })

  it('checks the port as you type', async () => {
    useSettings.setState({ settings })
    render(<SettingsDialog open onOpenChange={() => {}} />)
    await userEvent.clear(screen.getByLabelText('Port'))
    await userEvent.type(screen.getByLabelText('Port'), '70000')
    expect(screen.getByRole('alert')).toHaveTextContent('A port is a number from 1 to 65535')
  })

  it('validates as you type: Save is disabled while a field is invalid, and enabled again once it is right', async () => {
    const berth = fakeBerth({ 'settings.update': (patch) => ({ ...settings, ...patch }) })
    useSettings.setState({ settings })
    render(<SettingsDialog open onOpenChange={() => {}} />)
    const save = screen.getByRole('button', { name: 'Save' })
    const port = screen.getByLabelText('Port')
    await userEvent.clear(port)
    expect(save).toBeDisabled()
    await userEvent.type(port, '0')
    expect(screen.getByRole('alert')).toHaveTextContent('A port is a number from 1 to 65535')
    expect(save).toBeDisabled()
    await userEvent.clear(port)
    await userEvent.type(port, '5001')
    expect(screen.queryByRole('alert')).toBeNull()
    expect(save).toBeEnabled()

    const host = screen.getByLabelText('Bind address')
    await userEvent.clear(host)
    await userEvent.type(host, '999.1.1.1')
    expect(screen.getByRole('alert')).toHaveTextContent('999.1.1.1 is not an IP address')
    expect(save).toBeDisabled()
    await userEvent.click(save)
    expect(berth.inputs('settings.update')).toEqual([])
    await userEvent.clear(host)
    await userEvent.type(host, '127.0.0.1')
    expect(save).toBeEnabled()

    await userEvent.clear(screen.getByLabelText('Data folder'))
    expect(save).toBeDisabled()
  })

  it('says what the bind address means; a non-loopback address shares the registry with the network', async () => {
    useSettings.setState({ settings })
    render(<SettingsDialog open onOpenChange={() => {}} />)
    const host = screen.getByLabelText('Bind address')
    expect(host).toHaveAccessibleDescription(/this machine only/i)
    await userEvent.clear(host)
    await userEvent.type(host, '0.0.0.0')
    expect(host).toHaveAccessibleDescription(/shares the registry with the network/)
    await userEvent.clear(host)
    await userEvent.type(host, '10.212.0.1')
    expect(host).toHaveAccessibleDescription(/10\.212\.0\.1.*shares the registry/)
  })

  it('has Save and Cancel, and no "saved at once" promise; Cancel sends nothing', async () => {
    const berth = fakeBerth({ 'settings.update': (patch) => ({ ...settings, ...patch }) })
    useSettings.setState({ settings })
    const onOpenChange = vi.fn()
    render(<SettingsDialog open onOpenChange={onOpenChange} />)
    const dialog = screen.getByRole('dialog', { name: 'Registry settings' })
    expect(dialog).not.toHaveTextContent(/saved at once/i)
    await userEvent.type(within(dialog).getByLabelText('Port'), '1')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(onOpenChange).toHaveBeenCalledWith(false)
    expect(berth.inputs('settings.update')).toEqual([])
  })

  it('keeps a refused change open with the service’s advice', async () => {
    fakeBerth({ 'settings.update': () => fail('PORT_IN_USE', 'Port 5050 is in use by nginx; 5051 is free.') })
    useSettings.setState({ settings })
    render(<SettingsDialog open onOpenChange={() => {}} />)
    await userEvent.clear(screen.getByLabelText('Port'))
    await userEvent.type(screen.getByLabelText('Port'), '5050')
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('5051 is free')
  })

  it('chooses how the window pushes and pulls, and how a push by export stores the image', async () => {
    const berth = fakeBerth({ 'settings.update': (patch) => ({ ...settings, ...patch }) })
    useSettings.setState({ settings })
    render(<SettingsDialog open onOpenChange={() => {}} />)
    await userEvent.selectOptions(screen.getByLabelText('Layers pushed by export'), 'gzip')
    await userEvent.selectOptions(screen.getByLabelText('Manifest pushed by export'), 'oci')
    await userEvent.selectOptions(screen.getByLabelText('Path'), 'export')
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(berth.inputs('settings.update')).toEqual([{ transferPath: 'export', layerEncoding: 'gzip', manifestFormat: 'oci' }]))
  })

  it('hides the export choices when the engine’s own push and pull are chosen', async () => {
    useSettings.setState({ settings: { ...settings, transferPath: 'engine' } })
    render(<SettingsDialog open onOpenChange={() => {}} />)
    expect(screen.getByLabelText('Path')).toHaveValue('engine')
    expect(screen.queryByLabelText('Layers pushed by export')).toBeNull()
  })
})
