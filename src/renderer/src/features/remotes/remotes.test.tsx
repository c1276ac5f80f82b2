import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { App } from '../../App'
import { bindStores } from '../../store/bind'
import { useView } from '../../store/view'
import { engineStatus, fail, fakeBerth, manifest, registryStatus, repo, tag, transfer } from '../../test/fake-berth'
import { mirrorStatus, remoteTest, savedRegistry, settings } from '../../test/sharing-fixtures'
import { wrap } from '../../test/storage-view'
import { RemotesView } from './RemotesView'

const REMOTE = savedRegistry()
const base = {
  'remote.list': () => [REMOTE],
  'remote.test': () => remoteTest(),
  'remote.mirrorStatus': () => mirrorStatus(),
  'remote.catalog': () => ({ browse: 'catalog' as const, items: [{ name: 'team/api' }, { name: 'team/web' }], next: null, message: null }),
  'remote.tags': () => [{ ...tag('2.0'), pushedAt: null }, { ...tag('1.0'), pushedAt: null, kind: 'index' as const, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] }],
  'remote.manifest': () => manifest({ repository: 'team/api', tags: ['2.0'] })
}

describe('the remotes view', () => {
  it('with none saved, says what it is for and offers to add one', async () => {
    fakeBerth({ ...base, 'remote.list': () => [] })
    wrap(<RemotesView />)
    const main = await screen.findByRole('main', { name: 'Remote repository' })
    expect(await within(main).findByText('No other registry yet')).toBeInTheDocument()
    expect(within(main).getByRole('button', { name: 'Add a registry…' })).toBeInTheDocument()
  })

  it('says why the saved registries cannot be read', async () => {
    fakeBerth({ ...base, 'remote.list': () => fail('INTERNAL', 'Berth cannot read registries.json; check its permissions.') })
    wrap(<RemotesView />)
    expect(await screen.findByRole('alert')).toHaveTextContent('check its permissions')
  })

  it('tries an address before saving it: a failure says why and how to fix it, and can be saved anyway', async () => {
    const berth = fakeBerth({
      ...base,
      'remote.list': () => [],
      'remote.test': () =>
        remoteTest({ reachable: false, scheme: null, auth: null, catalog: null, problem: { code: 'REMOTE_TLS', message: 'The certificate of reg.lan:5000 is signed by an authority this machine does not trust; add its CA to /etc/containers/certs.d/reg.lan:5000/ca.crt, or turn TLS verification off for it.' } }),
      'remote.add': (input) => savedRegistry({ id: 'r2', address: input.address, username: null, credentials: 'none', secretPersistence: null })
    })
    wrap(<RemotesView />)
    await userEvent.click((await screen.findAllByRole('button', { name: 'Add a registry…' }))[0])
    const dialog = await screen.findByRole('dialog', { name: 'Add a registry' })
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Address' }), 'reg.lan:5000')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Try and add' }))
    const alert = await within(dialog).findByRole('alert')
    expect(alert).toHaveTextContent('TLS: the certificate is not accepted')
    expect(alert).toHaveTextContent('/etc/containers/certs.d/reg.lan:5000/ca.crt')
    expect(berth.inputs('remote.test')).toEqual([{ address: 'reg.lan:5000', tlsVerify: true }])
    expect(berth.inputs('remote.add')).toHaveLength(0)

    // Turning verification off is a new attempt.
    berth.handlers['remote.test'] = () => remoteTest({ address: 'reg.lan:5000', scheme: 'http', auth: 'none' })
    await userEvent.click(within(dialog).getByRole('checkbox', { name: /Verify TLS/ }))
    await userEvent.click(within(dialog).getByRole('button', { name: 'Try and add' }))
    await waitFor(() => expect(berth.inputs('remote.add')).toEqual([{ address: 'reg.lan:5000', tlsVerify: false }]))
    expect(await screen.findByRole('button', { name: /^reg\.lan:5000/ })).toHaveAttribute('aria-current', 'true')
  })

  it('asks for credentials: 401 says so and the password goes with the user', async () => {
    const berth = fakeBerth({
      ...base,
      'remote.list': () => [],
      'remote.test': (input) =>
        'username' in input && input.username
          ? remoteTest()
          : remoteTest({ reachable: false, problem: { code: 'REMOTE_UNAUTHORIZED', message: 'registry.team.example:5000 wants credentials for /v2/: log in with docker login registry.team.example:5000, or save them with the registry in Berth.' } }),
      'remote.add': () => REMOTE
    })
    wrap(<RemotesView />)
    await userEvent.click((await screen.findAllByRole('button', { name: 'Add a registry…' }))[0])
    const dialog = await screen.findByRole('dialog', { name: 'Add a registry' })
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Address' }), 'registry.team.example:5000')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Try and add' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('It wants credentials (401)')
    await userEvent.type(within(dialog).getByRole('textbox', { name: /User/ }), 'carol')
    await userEvent.type(within(dialog).getByLabelText(/Password or token/), 'team-secret-1')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Try and add' }))
    await waitFor(() => expect(berth.inputs('remote.add')).toEqual([{ address: 'registry.team.example:5000', tlsVerify: true, username: 'carol', password: 'team-secret-1' }]))
  })

  it('browses a registry with the catalog\'s own views: repositories, tags (platforms), the tag\'s layers; Copy to Berth… copies the tags chosen', async () => {
    const berth = fakeBerth({ ...base, 'remote.copy': () => ({ transferId: 't9' }) })
    wrap(<RemotesView />)
    expect(await screen.findByRole('option', { name: 'team/api' })).toHaveAttribute('aria-selected', 'true')
    expect(await screen.findByRole('status')).toHaveTextContent('registry.team.example:5000 answers · HTTPS · basic auth · lists its repositories')
    const grid = await screen.findByRole('grid', { name: 'Tags of team/api' })
    expect(within(grid).getByRole('row', { name: '1.0' })).toHaveTextContent('linux: amd64, arm64')
    expect(await screen.findByRole('table', { name: 'Layers' })).toBeInTheDocument()
    expect(berth.inputs('remote.manifest')[0]).toEqual({ registry: 'r1', repository: 'team/api', reference: '1.0' })
    // A remote tag offers what makes sense there: no delete, no retag, no run.
    const actions = screen.getByRole('toolbar', { name: 'Tag actions' })
    expect(within(actions).queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument()
    expect(within(actions).queryByRole('button', { name: 'Retag…' })).not.toBeInTheDocument()

    // The repository's own button: every tag ticked at first.
    await userEvent.click(within(screen.getByRole('main', { name: 'Remote repository team/api' })).getAllByRole('button', { name: 'Copy to Berth…' })[0])
    const dialog = await screen.findByRole('dialog', { name: 'Copy team/api from registry.team.example:5000 to Berth' })
    expect(within(dialog).getByRole('checkbox', { name: '2.0' })).toBeChecked()
    expect(within(dialog).getByRole('checkbox', { name: /Every platform/ })).toBeChecked()
    await userEvent.click(within(dialog).getByRole('checkbox', { name: '1.0' }))
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy' }))
    await waitFor(() => expect(berth.inputs('remote.copy')).toEqual([{ registry: 'r1', direction: 'pull', images: [{ repository: 'team/api', reference: '2.0' }], all: true }]))
  })

  it('opens repositories by name on a registry without a catalog (Docker Hub, GHCR)', async () => {
    const berth = fakeBerth({ ...base, 'remote.catalog': () => ({ browse: 'by-name' as const, items: [], next: null, message: 'ghcr.io does not list its repositories: type one’s name.' }) })
    wrap(<RemotesView />)
    const form = await screen.findByRole('form', { name: 'Open a repository by name' })
    expect(form).toHaveTextContent('ghcr.io does not list its repositories')
    await userEvent.type(within(form).getByRole('textbox', { name: 'Repository' }), 'acme/tools')
    await userEvent.click(within(form).getByRole('button', { name: 'Open' }))
    expect(await screen.findByRole('option', { name: 'acme/tools' })).toHaveAttribute('aria-selected', 'true')
    await waitFor(() => expect(berth.inputs('remote.tags')).toEqual([{ registry: 'r1', repository: 'acme/tools' }]))
  })

  it('shows the pull-through cache: upstreams, hits and misses, cached tags, budget, the Docker Hub only line', async () => {
    fakeBerth(base)
    wrap(<RemotesView />)
    const cache = await screen.findByRole('region', { name: 'Pull-through cache' })
    await within(cache).findByText('https://registry-1.docker.io')
    expect(within(cache).getByLabelText('Cache figures')).toHaveTextContent('Hits / misses12 / 3Cached tags4Fetched9 blobs, 48.0 MBBudget10.0 GB')
    expect(within(cache).getByRole('list', { name: 'Tell Docker' })).toHaveTextContent('Docker Hub only')
    expect(within(cache).getByRole('button', { name: 'Copy: "registry-mirrors": ["http://localhost:5000"]' })).toBeInTheDocument()
  })
})

describe('copies from the catalog and their cards', () => {
  it('Copy to… on a local tag picks a saved registry and copies there; the card says registry to registry', async () => {
    const berth = fakeBerth({
      ...base,
      'registry.status': () => registryStatus(),
      'settings.get': () => settings(),
      'catalog.repositories': () => ({ total: 1, items: [repo('team/app', { tagCount: 2 })] }),
      'catalog.tags': () => [tag('1.0'), tag('1.1')],
      'catalog.manifest': () => manifest(),
      'docker.status': () => engineStatus(),
      'docker.images': () => [],
      'transfers.list': () => [],
      'remote.copy': () => ({ transferId: 't1' })
    })
    const unbind = bindStores()
    wrap(<App />)
    const actions = await screen.findByRole('toolbar', { name: 'Tag actions' })
    await userEvent.click(within(actions).getByRole('button', { name: 'Copy to…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Copy team/app to another registry' })
    expect(await within(dialog).findByRole('combobox', { name: 'To registry' })).toHaveDisplayValue('registry.team.example:5000')
    await userEvent.clear(within(dialog).getByRole('textbox', { name: /Into repository/ }))
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Into repository/ }), 'mirror/app')
    await userEvent.click(within(dialog).getByRole('button', { name: 'All' }))
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy 2 tags' }))
    await waitFor(() =>
      expect(berth.inputs('remote.copy')).toEqual([
        { registry: 'r1', direction: 'push', images: [{ repository: 'team/app', reference: '1.0', targetRepository: 'mirror/app' }, { repository: 'team/app', reference: '1.1', targetRepository: 'mirror/app' }] }
      ])
    )

    act(() => berth.emit('transfer.progress', transfer({ id: 't1', kind: 'push', path: 'copy', encoding: null, source: 'this Berth: team/app:1.1, team/app:1.0', target: 'registry.team.example:5000' })))
    const card = await screen.findByRole('listitem', { name: 'Copy this Berth: team/app:1.1, team/app:1.0' })
    expect(card).toHaveTextContent('→ registry.team.example:5000')
    expect(within(card).getByLabelText('Path: registry to registry, no Docker')).toBeInTheDocument()
    unbind()
  })

  it('the Remotes entry of the header opens the view', async () => {
    fakeBerth({ ...base, 'registry.status': () => registryStatus(), 'settings.get': () => settings(), 'catalog.repositories': () => ({ total: 0, items: [] }), 'docker.status': () => engineStatus(), 'docker.images': () => [], 'transfers.list': () => [] })
    const unbind = bindStores()
    wrap(<App />)
    await userEvent.click(within(screen.getByRole('navigation', { name: 'Views' })).getByRole('button', { name: 'Remotes' }))
    expect(useView.getState().view).toBe('remotes')
    expect(await screen.findByRole('option', { name: 'team/api' })).toBeInTheDocument()
    unbind()
  })
})
