import { act, render, screen, waitFor } from '@testing-library/react'
import { Tooltip } from 'radix-ui'
import { bindStores } from '../../store/bind'
import { useCatalog } from '../../store/catalog'
import { useTransfers } from '../../store/transfers'
import { fail, fakeBerth, repo, tag, transfer } from '../../test/fake-berth'
import { RepositoryView } from './RepositoryView'

// A push from the window into a repository that does not exist yet (issue 14, defect 2): until its
// manifest lands, catalog.tags answers NOT_FOUND (or no tags); that is "first push in progress" with
// the transfer's progress, never a red error.

const wrap = () =>
  render(
    <Tooltip.Provider>
      <RepositoryView />
    </Tooltip.Provider>
  )

const pushing = transfer({ id: 'p1', source: 'big:1', target: 'localhost:5000/demo/big:1' })

describe('a first push into a new repository', () => {
  it('shows "first push in progress" with the transfer’s progress, not "Could not list the tags"', async () => {
    fakeBerth({
      'catalog.repositories': () => ({ total: 1, items: [repo('team/app')] }),
      'catalog.tags': ({ repository }) => (repository === 'demo/big' ? fail('NOT_FOUND', 'There is no repository demo/big in this registry.') : [tag('1.0')])
    })
    useTransfers.getState().upsert(pushing)
    useCatalog.setState({ status: 'ready', repositories: [repo('team/app')], total: 1 })
    useCatalog.getState().select('demo/big')
    wrap()
    const state = await screen.findByRole('region', { name: 'First push into demo/big' })
    expect(state).toHaveTextContent('First push in progress')
    expect(state).toHaveTextContent('big:1')
    expect(state).toHaveTextContent('50% · 500 B of 1.0 kB · 1/2 layers')
    expect(screen.getByRole('progressbar', { name: 'Pushing big:1 into demo/big' })).toHaveAttribute('aria-valuenow', '50')
    expect(screen.queryByRole('alert')).toBeNull()
    expect(screen.queryByText(/Could not list the tags/)).toBeNull()
  })

  it('keeps the new repository selected while the catalog refreshes without it, and shows its tags once the push is done', async () => {
    let stored = false
    const berth = fakeBerth({
      'catalog.repositories': () => ({ total: stored ? 2 : 1, items: stored ? [repo('demo/big'), repo('team/app')] : [repo('team/app')] }),
      'catalog.tags': ({ repository }) => (repository === 'demo/big' && !stored ? fail('NOT_FOUND', 'There is no repository demo/big in this registry.') : [tag('1')]),
      'catalog.manifest': () => fail('NOT_FOUND', 'not in this test'),
      'transfers.list': () => [pushing]
    })
    const unbind = bindStores()
    useTransfers.getState().upsert(pushing)
    useCatalog.setState({ status: 'ready', repositories: [repo('team/app')], total: 1 })
    useCatalog.getState().select('demo/big')
    wrap()
    await screen.findByText('First push in progress')
    // A layer of the push lands: the catalog refetches, demo/big is still not a repository with tags.
    act(() => berth.emit('catalog.changed', { repository: 'demo/big', action: 'link' }))
    await waitFor(() => expect(berth.inputs('catalog.repositories').length).toBeGreaterThan(0))
    expect(useCatalog.getState().selected).toBe('demo/big')
    expect(screen.getByText('First push in progress')).toBeInTheDocument()

    stored = true
    act(() => {
      berth.emit('transfer.progress', { ...pushing, state: 'done', overall: { ...pushing.overall, current: 1000, percent: 100, layersDone: 2 } })
      berth.emit('catalog.changed', { repository: 'demo/big', action: 'push', reference: '1' })
    })
    await screen.findByRole('row', { name: /^1\b/ })
    expect(screen.queryByText('First push in progress')).toBeNull()
    unbind()
  })

  it('an empty registry with a first push running shows the push, not the "empty registry" welcome', async () => {
    fakeBerth({ 'catalog.tags': () => fail('NOT_FOUND', 'There is no repository demo/big in this registry.') })
    useTransfers.getState().upsert(pushing)
    useCatalog.setState({ status: 'ready', repositories: [], total: 0 })
    useCatalog.getState().select('demo/big')
    wrap()
    expect(await screen.findByText('First push in progress')).toBeInTheDocument()
  })
})
