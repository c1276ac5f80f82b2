import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { bindStores } from '../../store/bind'
import { useRegistry } from '../../store/registry'
import { useSettings } from '../../store/settings'
import { fail, fakeBerth, registryStatus } from '../../test/fake-berth'
import { account, CA_PEM, settings, sharingInfo, sharingStatus } from '../../test/sharing-fixtures'
import { wrap } from '../../test/storage-view'
import { addressChoices } from './address-choices'
import { SharingView } from './SharingView'

const INTERFACES = [{ interface: 'eth0', address: '192.168.1.20', family: 'IPv4' as const }]

function open(handlers: Parameters<typeof fakeBerth>[0] = {}, shared = false) {
  const berth = fakeBerth({
    'sharing.info': () => (shared ? sharingInfo() : sharingInfo({ shared: false, scheme: 'http', caPem: null, address: 'localhost:5000', addresses: ['localhost:5000'] })),
    'sharing.interfaces': () => INTERFACES,
    'sharing.ca': () => ({ pem: CA_PEM, fingerprint: '12:34:56:78', path: '/home/dev/.config/Berth/tls/ca.crt' }),
    'users.list': () => [account('alice'), account('bob', { role: 'pull', roleAssigned: false })],
    ...handlers
  })
  useSettings.setState({ settings: settings(shared ? { host: '192.168.1.20', shareHost: '192.168.1.20' } : {}) })
  useRegistry.setState({ status: registryStatus(shared ? { host: '192.168.1.20', pullHost: '192.168.1.20:5000', sharing: sharingStatus() } : {}) })
  wrap(<SharingView />)
  return berth
}

describe('address choices', () => {
  it('offers loopback, every interface and each address, each saying what it means', () => {
    const choices = addressChoices(INTERFACES, '127.0.0.1')
    expect(choices.map((c) => c.host)).toEqual(['127.0.0.1', '0.0.0.0', '192.168.1.20'])
    expect(choices[0].means).toMatch(/no account and no TLS/)
    expect(choices[1].means).toMatch(/host\.docker\.internal/)
    // An address from elsewhere (berth serve --host) stays choosable.
    expect(addressChoices(INTERFACES, 'laptop.lan').at(-1)).toMatchObject({ host: 'laptop.lan' })
  })
})

describe('the sharing view', () => {
  it('shows a loading state, then an error with its advice and a retry', async () => {
    const berth = fakeBerth({ 'sharing.info': () => fail('INTERNAL', 'Berth cannot read its TLS folder; check the permissions of ~/.config/Berth/tls.'), 'sharing.interfaces': () => [], 'users.list': () => [] })
    useSettings.setState({ settings: settings() })
    wrap(<SharingView />)
    expect(screen.getByRole('status', { name: 'Loading sharing' })).toBeInTheDocument()
    expect(await screen.findByRole('alert')).toHaveTextContent('check the permissions of ~/.config/Berth/tls')
    berth.handlers['sharing.info'] = () => sharingInfo()
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(await screen.findByRole('region', { name: 'Use from another machine' })).toBeInTheDocument()
  })

  it('shares on one interface address: the setting saved with it as the tray\'s choice; TLS off shows the clear-text warning', async () => {
    const berth = open({ 'settings.update': (patch) => settings({ ...patch }) })
    const card = await screen.findByRole('region', { name: 'Share on the network' })
    expect(within(card).getByRole('radio', { name: /This machine only/ })).toBeChecked()
    expect(within(card).getByText('This machine only')).toBeInTheDocument()
    expect(within(card).getByRole('button', { name: 'Save' })).toBeDisabled()

    await userEvent.click(within(card).getByRole('radio', { name: /192\.168\.1\.20 \(eth0\)/ }))
    await userEvent.click(within(card).getByRole('checkbox', { name: /Serve HTTPS/ }))
    expect(within(card).getByText('Passwords would cross the network in clear')).toBeInTheDocument()
    await userEvent.click(within(card).getByRole('checkbox', { name: /Allow anonymous pulls/ }))
    await userEvent.click(within(card).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(berth.inputs('settings.update')).toEqual([{ host: '192.168.1.20', shareHost: '192.168.1.20', tls: 'off', anonymousPull: true }]))
  })

  it('wants a certificate and its key together', async () => {
    open({}, true)
    const card = await screen.findByRole('region', { name: 'Share on the network' })
    await userEvent.type(within(card).getByRole('textbox', { name: 'Your own certificate (PEM file)' }), '/etc/ssl/reg.crt')
    expect(within(card).getByRole('alert')).toHaveTextContent('Give both the certificate and its key')
    expect(within(card).getByRole('button', { name: 'Save' })).toBeDisabled()
    await userEvent.type(within(card).getByRole('textbox', { name: 'Its private key (PEM file)' }), '/etc/ssl/reg.key')
    expect(within(card).getByRole('button', { name: 'Save' })).toBeEnabled()
  })

  it('lists accounts; one added goes in with its role and its password is cleared, never shown; the list comes back through registry.status', async () => {
    const berth = open({ 'users.add': ({ name, role }) => account(name, { role }) })
    const unbind = bindStores()
    const card = await screen.findByRole('region', { name: 'Accounts' })
    const table = await within(card).findByRole('table', { name: 'Accounts' })
    expect(within(table).getByRole('row', { name: 'alice' })).toHaveTextContent('push')
    expect(within(table).getByRole('row', { name: 'bob' })).toHaveTextContent('added with htpasswd')

    const form = within(card).getByRole('form', { name: 'Add an account' })
    await userEvent.type(within(form).getByRole('textbox', { name: 'Account name' }), 'carol')
    await userEvent.selectOptions(within(form).getByRole('combobox', { name: 'Role' }), 'admin')
    await userEvent.type(within(form).getByLabelText('Password'), 'short')
    await userEvent.click(within(form).getByRole('button', { name: 'Add account' }))
    expect(within(form).getByRole('alert')).toHaveTextContent('at least 8 characters')
    expect(berth.inputs('users.add')).toHaveLength(0)

    await userEvent.type(within(form).getByLabelText('Password'), '-and-longer')
    await userEvent.click(within(form).getByRole('button', { name: 'Add account' }))
    await waitFor(() => expect(berth.inputs('users.add')).toEqual([{ name: 'carol', role: 'admin', password: 'short-and-longer' }]))
    expect(within(form).getByLabelText('Password')).toHaveValue('')
    expect(document.body.textContent).not.toContain('short-and-longer')

    // users.add announces a registry.status; that, not the add, reads the list again.
    const before = berth.inputs('users.list').length
    berth.handlers['users.list'] = () => [account('alice'), account('bob'), account('carol', { role: 'admin' })]
    act(() => berth.emit('registry.status', registryStatus()))
    expect(await within(card).findByRole('row', { name: 'carol' })).toHaveTextContent('admin')
    expect(berth.inputs('users.list').length).toBe(before + 1)
    unbind()
  })

  it('changes a password in a dialog and removes an account after asking', async () => {
    const berth = open({ 'users.passwd': () => ({ ok: true }), 'users.remove': () => ({ ok: true }) })
    const card = await screen.findByRole('region', { name: 'Accounts' })
    await userEvent.click(await within(card).findByRole('button', { name: 'Change the password of alice…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Change the password of alice' })
    await userEvent.type(within(dialog).getByLabelText('New password'), 'a-new-secret-1')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Change password' }))
    await waitFor(() => expect(berth.inputs('users.passwd')).toEqual([{ name: 'alice', password: 'a-new-secret-1' }]))
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()

    await userEvent.click(within(card).getByRole('button', { name: 'Remove bob…' }))
    const confirm = await screen.findByRole('alertdialog', { name: 'Remove the account bob?' })
    await userEvent.click(within(confirm).getByRole('button', { name: 'Remove account' }))
    await waitFor(() => expect(berth.inputs('users.remove')).toEqual([{ name: 'bob' }]))
  })

  it('offers the CA as a file and on the clipboard, with its fingerprint, once shared over HTTPS', async () => {
    open({}, true)
    const card = await screen.findByRole('region', { name: 'Certificate authority' })
    expect(await within(card).findByText('12:34:56:78')).toBeInTheDocument()
    const link = within(card).getByRole('link', { name: /Download berth-ca\.crt/ })
    expect(link).toHaveAttribute('download', 'berth-ca.crt')
    expect(decodeURIComponent(link.getAttribute('href')!.replace(/^data:application\/x-pem-file;charset=utf-8,/, ''))).toBe(CA_PEM)
    expect(within(card).getByRole('button', { name: 'Copy the CA certificate (PEM)' })).toBeInTheDocument()
    expect(within(card).getByText('laptop.local')).toBeInTheDocument()
  })

  it('on loopback asks for no CA and says why', async () => {
    const berth = open()
    const card = await screen.findByRole('region', { name: 'Certificate authority' })
    expect(within(card).getByText('No CA to hand out')).toBeInTheDocument()
    expect(berth.inputs('sharing.ca')).toHaveLength(0)
  })

  it('gives the steps for another machine, each command with its copy button', async () => {
    open({}, true)
    const card = await screen.findByRole('region', { name: 'Use from another machine' })
    expect(within(card).getByText('192.168.1.20:5000')).toBeInTheDocument()
    const steps = within(card).getByRole('list', { name: 'Steps' })
    const kube = within(steps).getByRole('listitem', { name: 'Kubernetes: an imagePullSecret' })
    expect(within(kube).getByRole('button', { name: /^Copy: kubectl create secret docker-registry berth/ })).toBeInTheDocument()
    expect(within(steps).getByRole('listitem', { name: 'Docker: trust the CA for this registry only' })).toHaveTextContent('no restart')
  })
})
