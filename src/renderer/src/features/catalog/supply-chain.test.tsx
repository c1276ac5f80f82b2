import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Tooltip } from 'radix-ui'
import type { Referrer, SbomPage } from '@shared/model/insight'
import { useCatalog } from '../../store/catalog'
import { useImages } from '../../store/images'
import { useRegistry } from '../../store/registry'
import { digest, engineStatus, fakeBerth, manifest, registryStatus, repo, tag } from '../../test/fake-berth'
import { TagDetail } from './tag-detail/TagDetail'

// The Signatures & SBOMs tab, the digest-pinned pull command and the delete that takes referrers along.

const base = { mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: null, size: 900, subject: digest('c'), platform: null, tag: null, created: null, problem: null }
const items: Referrer[] = [
  {
    ...base,
    digest: digest('1'),
    source: 'subject',
    kind: 'signature',
    signature: { format: 'cosign', signer: 'dev@example.com', issuer: 'https://accounts.example.com', signedAt: '2026-11-20T10:00:00Z', signedDigest: digest('c'), matchesSubject: true, reference: 'localhost/team/app', payload: '{\n  "critical": {}\n}', verified: false, count: 1 }
  },
  { ...base, digest: digest('2'), source: 'subject', kind: 'sbom', sbom: { format: 'spdx', specVersion: 'SPDX-2.3', name: 'web', tool: 'syft-1.18.0', created: null, packages: 250, blob: digest('3'), bytes: 64_000 } },
  {
    ...base,
    digest: digest('4'),
    source: 'buildkit',
    platform: { os: 'linux', architecture: 'arm64' },
    kind: 'provenance',
    provenance: { predicateType: 'https://slsa.dev/provenance/v0.2', builder: 'https://github.com/docker/buildx', buildType: null, source: 'https://github.com/example/web.git', revision: 'abc123', startedOn: '2026-11-20T09:58:00Z', finishedOn: '2026-11-20T09:59:00Z', materials: ['pkg:docker/alpine@3.20'] }
  }
]

function page(filter: string | undefined, offset: number): SbomPage {
  const all = Array.from({ length: 250 }, (_, i) => ({ name: i === 0 ? 'openssl' : `pkg-${i}`, version: `1.${i}`, licenses: [i % 2 ? 'MIT' : 'Apache-2.0'], purl: `pkg:apk/alpine/pkg-${i}`, supplier: null }))
  const matching = filter ? all.filter((p) => p.name.includes(filter) || p.licenses.some((l) => l.includes(filter))) : all
  return { format: 'spdx', specVersion: 'SPDX-2.3', name: 'web', total: 250, matching: matching.length, offset, packages: matching.slice(offset, offset + 100), licenses: [{ license: 'MIT', count: 125 }, { license: 'Apache-2.0', count: 125 }], truncated: false }
}

function open(handlers: Parameters<typeof fakeBerth>[0] = {}) {
  const berth = fakeBerth({
    'catalog.manifest': () => manifest(),
    'catalog.referrers': () => ({ repository: 'team/app', digest: digest('c'), items, deletable: 2 }),
    'catalog.sbom': ({ filter, offset }) => page(filter, offset ?? 0),
    ...handlers
  })
  useRegistry.setState({ status: registryStatus({ pullHost: 'localhost:5123' }) })
  useImages.setState({ engine: engineStatus(), images: [] })
  useCatalog.setState({ status: 'ready', repositories: [repo('team/app')], total: 1, selected: 'team/app', tags: { repository: 'team/app', items: [tag('1.0', { digest: digest('c') })], loading: false, error: null } })
  render(
    <Tooltip.Provider>
      <TagDetail />
    </Tooltip.Provider>
  )
  act(() => useCatalog.getState().openReference('1.0'))
  return berth
}

describe('what is stored about an image', () => {
  it('shows the pull command by tag and pinned to the digest', async () => {
    open()
    const list = await screen.findByRole('list', { name: 'Pull commands' })
    expect(within(list).getAllByRole('listitem').map((l) => l.textContent)).toEqual([`By tagdocker pull localhost:5123/team/app:1.0`, `Pinneddocker pull localhost:5123/team/app@${digest('c')}`])
  })

  it('shows signatures (not verified), the SBOM and the provenance, with a searchable, paged package list', async () => {
    const berth = open()
    await userEvent.click(await screen.findByRole('tab', { name: 'Signatures & SBOMs' }))
    const signature = await screen.findByRole('listitem', { name: 'Signature by dev@example.com' })
    expect(signature).toHaveTextContent('Not verified')
    expect(signature).toHaveTextContent('https://accounts.example.com')
    expect(within(screen.getByRole('region', { name: 'Provenance' })).getByRole('listitem')).toHaveTextContent('https://github.com/example/web.git')
    expect(screen.getByRole('listitem', { name: 'Provenance' })).toHaveTextContent('linux/arm64 · BuildKit attestation')
    const sbom = screen.getByRole('listitem', { name: 'SBOM spdx web' })
    expect(sbom).toHaveTextContent('250 packages')
    await userEvent.click(within(sbom).getByRole('button', { name: 'Packages' }))
    const packages = await screen.findByRole('region', { name: 'SBOM packages' })
    await waitFor(() => expect(within(packages).getAllByRole('row')).toHaveLength(101))
    await userEvent.click(within(packages).getByRole('button', { name: 'Next' }))
    await waitFor(() => expect(within(packages).getByText('101–200 of 250')).toBeInTheDocument())
    await userEvent.type(within(packages).getByRole('searchbox', { name: 'Search packages' }), 'openssl')
    await waitFor(() => expect(within(packages).getAllByRole('row')).toHaveLength(2))
    expect(berth.inputs('catalog.sbom').at(-1)).toEqual({ repository: 'team/app', referrer: digest('2'), blob: digest('3'), filter: 'openssl', offset: 0, limit: 100 })
  })

  it('offers to delete the signatures and SBOMs with the manifest, and says how many', async () => {
    const berth = open({ 'catalog.deleteManifest': () => ({ ok: true, tags: ['1.0'], referrers: [digest('1'), digest('2')] }) })
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }))
    await userEvent.click(await screen.findByRole('menuitem', { name: /Delete manifest/ }))
    const dialog = await screen.findByRole('alertdialog')
    const box = await within(dialog).findByRole('checkbox', { name: /Also delete its 2 signatures, SBOMs and attestations/ })
    expect(box).toBeChecked()
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete manifest' }))
    await waitFor(() => expect(berth.inputs('catalog.deleteManifest')).toEqual([{ repository: 'team/app', digest: digest('c'), referrers: true }]))
  })
})
