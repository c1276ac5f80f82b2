import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Tooltip } from 'radix-ui'
import { useCatalog } from '../../store/catalog'
import { useImages } from '../../store/images'
import { useNotices } from '../../store/notices'
import { useRegistry } from '../../store/registry'
import { digest, engineStatus, fail, fakeBerth, manifest, registryStatus, repo, tag } from '../../test/fake-berth'
import type { ManifestDetail } from '@shared/model/catalog'
import { TagDetail } from './tag-detail/TagDetail'

function open(detail: ManifestDetail, reference = '1.0', handlers: Parameters<typeof fakeBerth>[0] = {}) {
  const berth = fakeBerth({ 'catalog.manifest': () => detail, 'catalog.tags': () => [tag('1.0'), tag('latest')], ...handlers })
  useRegistry.setState({ status: registryStatus() })
  useImages.setState({ engine: engineStatus(), images: [] })
  useCatalog.setState({ status: 'ready', repositories: [repo('team/app')], total: 1, selected: 'team/app', tags: { repository: 'team/app', items: [tag('1.0'), tag('latest')], loading: false, error: null } })
  render(
    <Tooltip.Provider>
      <TagDetail />
    </Tooltip.Provider>
  )
  act(() => useCatalog.getState().openReference(reference))
  return berth
}

describe('tag details', () => {
  it('asks to select a tag when none is open', () => {
    render(<TagDetail />)
    expect(screen.getByText('Select a tag')).toBeInTheDocument()
  })

  it('lists layers with media type, size and each layer’s share', async () => {
    open(manifest())
    const table = await screen.findByRole('table', { name: 'Layers' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('OCI layer (tar+gzip)')
    expect(rows[0]).toHaveTextContent('3.0 MB')
    expect(within(rows[0]).getByRole('meter', { name: 'Layer 1 share of the image' })).toHaveAttribute('aria-valuenow', '75')
    expect(within(rows[1]).getByRole('meter')).toHaveAttribute('aria-valuenow', '25')
    expect(screen.getByText(/2 layers, 4.0 MB compressed/)).toBeInTheDocument()
    expect(rows[0]).toHaveTextContent('gzip')
  })

  it('says how each layer is stored: a push by export may keep them uncompressed', async () => {
    open(
      manifest({
        layers: [
          { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', digest: digest('d'), size: 3_000_000 },
          { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: digest('e'), size: 1_000_000 }
        ]
      })
    )
    const table = await screen.findByRole('table', { name: 'Layers' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(within(rows[0]).getAllByRole('cell').map((c) => c.textContent)).toEqual(expect.arrayContaining(['Docker layer (tar)', 'uncompressed']))
    expect(within(rows[1]).getAllByRole('cell').map((c) => c.textContent)).toEqual(expect.arrayContaining(['Docker layer (tar+gzip)', 'gzip']))
    expect(screen.getByText(/2 layers, 4.0 MB stored/)).toBeInTheDocument()
  })

  it('shows the config: env, cmd, entrypoint, ports, labels — and the history', async () => {
    open(manifest())
    await userEvent.click(await screen.findByRole('tab', { name: 'Config' }))
    const panel = screen.getByRole('tabpanel')
    expect(panel).toHaveTextContent('PATH=/usr/bin')
    expect(panel).toHaveTextContent('["/app/server"]')
    expect(panel).toHaveTextContent('8080/tcp')
    expect(panel).toHaveTextContent('org.opencontainers.image.source')
    await userEvent.click(screen.getByRole('tab', { name: 'History (1)' }))
    expect(screen.getByRole('tabpanel')).toHaveTextContent('COPY server /app/server')
  })

  it('shows an index’s platforms, its attestations apart, and opens a platform', async () => {
    const index = manifest({
      kind: 'index',
      mediaType: 'application/vnd.oci.image.index.v1+json',
      layers: [],
      config: null,
      image: null,
      children: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('1'), size: 403, platform: { os: 'linux', architecture: 'amd64' }, attestation: false, imageSize: 7_100_000 },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('2'), size: 403, platform: { os: 'linux', architecture: 'arm64' }, attestation: false, imageSize: 6_900_000 },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('3'), size: 500, platform: { os: 'unknown', architecture: 'unknown' }, attestation: true }
      ]
    })
    const berth = open(index, '1.0', { 'catalog.manifest': ({ reference }) => (reference === '1.0' ? index : manifest({ digest: digest('2'), tags: [] })) })
    expect(await screen.findByRole('tab', { name: 'Platforms (2)' })).toHaveAttribute('aria-selected', 'true')
    expect(screen.getByText('1 build attestation')).toBeInTheDocument()
    const attestations = screen.getByRole('list', { name: 'Build attestations' })
    expect(attestations).toHaveTextContent('Build attestation')
    expect(screen.queryByText(/unknown\/unknown/)).not.toBeInTheDocument()
    // Each platform's image size, not its 403-byte manifest.
    const platforms = screen.getByRole('list', { name: 'Platforms' })
    expect(within(platforms).getByRole('button', { name: /linux\/amd64/ })).toHaveTextContent('7.1 MB')
    expect(within(platforms).getByRole('button', { name: /linux\/arm64/ })).toHaveTextContent('6.9 MB')
    expect(platforms).not.toHaveTextContent('403 B')

    await userEvent.click(within(screen.getByRole('list', { name: 'Platforms' })).getByRole('button', { name: /linux\/arm64/ }))
    await waitFor(() => expect(berth.inputs('catalog.manifest').at(-1)).toEqual({ repository: 'team/app', reference: digest('2') }))
    await userEvent.click(await screen.findByRole('button', { name: 'Back to team/app:1.0' }))
    await waitFor(() => expect(berth.inputs('catalog.manifest').at(-1)?.reference).toBe('1.0'))
  })

  it('copies the pull command the service gives', async () => {
    const writeText = vi.fn(async () => {})
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    open(manifest(), '1.0', { 'catalog.pullCommand': () => ({ command: 'docker pull localhost:5000/team/app:1.0', reference: 'localhost:5000/team/app:1.0' }) })
    await userEvent.click(await screen.findByRole('button', { name: 'Copy pull command' }))
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('docker pull localhost:5000/team/app:1.0'))
  })

  it('starts a pull into Docker', async () => {
    const berth = open(manifest(), '1.0', { 'docker.pull': () => ({ transferId: 'p1', reference: 'localhost:5000/team/app:1.0' }) })
    await userEvent.click(await screen.findByRole('button', { name: 'Pull to Docker' }))
    expect(berth.inputs('docker.pull')).toEqual([{ repository: 'team/app', reference: '1.0' }])
  })

  it('confirms a tag delete by saying what goes and what stays', async () => {
    const berth = open(manifest({ tags: ['1.0', 'latest'] }), '1.0', { 'catalog.deleteTag': () => ({ ok: true }) })
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }))
    await userEvent.click(await screen.findByRole('menuitem', { name: /Delete tag…/ }))
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete tag team/app:1.0?' })
    expect(dialog).toHaveTextContent('The image stays, still tagged latest.')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete tag' }))
    await waitFor(() => expect(berth.inputs('catalog.deleteTag')).toEqual([{ repository: 'team/app', tag: '1.0' }]))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument())
  })

  it('confirms a manifest delete by listing every tag that goes with it', async () => {
    open(manifest({ tags: ['1.0', 'latest'] }), '1.0', { 'catalog.deleteManifest': () => ({ ok: true, tags: ['1.0', 'latest'] }) })
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }))
    await userEvent.click(await screen.findByRole('menuitem', { name: /Delete manifest…/ }))
    const dialog = await screen.findByRole('alertdialog')
    expect(dialog).toHaveTextContent('all 2 of its tags')
    expect(within(dialog).getByText('latest')).toBeInTheDocument()
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete manifest' }))
    await waitFor(() => expect(useNotices.getState().notices.at(-1)?.message).toBe('Tags removed: 1.0, latest'))
  })

  it('keeps a failed delete in its dialog with the service’s advice', async () => {
    open(manifest(), '1.0', { 'catalog.deleteTag': () => fail('NOT_FOUND', 'team/app has no tag 1.0.') })
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }))
    await userEvent.click(await screen.findByRole('menuitem', { name: /Delete tag…/ }))
    const dialog = await screen.findByRole('alertdialog')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete tag' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('team/app has no tag 1.0.')
  })

  it('retags into another repository, checking the name and tag as you type', async () => {
    const berth = open(manifest(), '1.0', { 'catalog.retag': () => ({ digest: digest('c'), reference: 'localhost:5000/team/prod:stable' }) })
    await userEvent.click(await screen.findByRole('button', { name: 'Retag…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Retag or promote' })
    const repository = within(dialog).getByLabelText('Target repository')
    await userEvent.clear(repository)
    await userEvent.type(repository, 'Team/Prod')
    expect(within(dialog).getByRole('alert')).toHaveTextContent('A repository name is lowercase letters')
    await userEvent.clear(repository)
    await userEvent.type(repository, 'team/prod')
    await userEvent.type(within(dialog).getByLabelText('New tag'), '-bad')
    expect(within(dialog).getByRole('button', { name: 'Retag' })).toBeDisabled()
    await userEvent.clear(within(dialog).getByLabelText('New tag'))
    await userEvent.type(within(dialog).getByLabelText('New tag'), 'stable')
    expect(within(dialog).getByText('localhost:5000/team/prod:stable')).toBeInTheDocument()
    await userEvent.click(within(dialog).getByRole('button', { name: 'Retag' }))
    await waitFor(() => expect(berth.inputs('catalog.retag')).toEqual([{ repository: 'team/app', reference: '1.0', targetRepository: 'team/prod', targetTag: 'stable' }]))
  })

  it('runs a container with the image’s exposed ports mapped', async () => {
    const berth = open(manifest(), '1.0', { 'docker.run': () => ({ containerId: 'c1', name: 'brave_app', command: 'docker run -d -p 127.0.0.1:8080:8080 localhost:5000/team/app:1.0' }), 'docker.images': () => [] })
    await userEvent.click(await screen.findByRole('button', { name: 'Run…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Run a container' })
    expect(within(dialog).getByLabelText('Host port 1')).toHaveValue('8080')
    await userEvent.clear(within(dialog).getByLabelText('Host port 1'))
    await userEvent.type(within(dialog).getByLabelText('Host port 1'), '18080')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(berth.inputs('docker.run')).toEqual([{ repository: 'team/app', reference: '1.0', ports: [{ host: 18080, container: 8080, protocol: 'tcp', hostIp: '127.0.0.1' }] }]))
  })

  it('proposes an unprivileged host port (8080 for EXPOSE 80), and after Run shows the container and its URL', async () => {
    const image = manifest()
    const web = { ...image, image: { ...image.image!, exposedPorts: ['80/tcp', '443/tcp', '5353/udp'] } }
    open(web, '1.0', { 'docker.run': () => ({ containerId: 'abcdef0123456789', name: 'brave_app', command: 'docker run -d -p 127.0.0.1:8080:80 localhost:5000/team/app:1.0' }), 'docker.images': () => [] })
    await userEvent.click(await screen.findByRole('button', { name: 'Run…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Run a container' })
    expect(within(dialog).getByLabelText('Host port 1')).toHaveValue('8080')
    expect(within(dialog).getByLabelText('Container port 1')).toHaveValue('80')
    expect(within(dialog).getByLabelText('Host port 2')).toHaveValue('8443')
    expect(within(dialog).getByLabelText('Host port 3')).toHaveValue('5353')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Run' }))
    const started = await within(dialog).findByRole('region', { name: 'Container started' })
    expect(started).toHaveTextContent('Container brave_app runs abcdef012345')
    expect(within(started).getByRole('link', { name: 'http://127.0.0.1:8080/' })).toHaveAttribute('href', 'http://127.0.0.1:8080/')
    expect(within(started).getByRole('link', { name: 'http://127.0.0.1:8443/' })).toBeInTheDocument()
    expect(within(started).queryByRole('link', { name: /5353/ })).toBeNull()
  })

  it('publishes on every interface only when “Reachable from other machines” is ticked', async () => {
    const berth = open(manifest(), '1.0', { 'docker.run': () => ({ containerId: 'c1', name: 'brave_app', command: 'docker run -d -p 0.0.0.0:8080:8080 localhost:5000/team/app:1.0' }), 'docker.images': () => [] })
    await userEvent.click(await screen.findByRole('button', { name: 'Run…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Run a container' })
    const reachable = within(dialog).getByRole('checkbox', { name: /Reachable from other machines/ })
    expect(reachable).not.toBeChecked()
    await userEvent.click(reachable)
    await userEvent.click(within(dialog).getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(berth.inputs('docker.run')).toEqual([{ repository: 'team/app', reference: '1.0', ports: [{ host: 8080, container: 8080, protocol: 'tcp', hostIp: '0.0.0.0' }] }]))
  })

  it('shows why a manifest could not be read, with a retry', async () => {
    const berth = open(manifest(), '1.0', { 'catalog.manifest': () => fail('NOT_FOUND', 'team/app has no manifest 1.0.') })
    expect(await screen.findByRole('alert')).toHaveTextContent('team/app has no manifest 1.0.')
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(berth.inputs('catalog.manifest')).toHaveLength(2)
  })
})
