import { act, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { Tooltip } from 'radix-ui'
import { useCatalog } from '../../store/catalog'
import { useTransfers } from '../../store/transfers'
import { bindStores } from '../../store/bind'
import { fakeBerth, transfer } from '../../test/fake-berth'
import { Transfers } from './Transfers'

const wrap = () =>
  render(
    <Tooltip.Provider>
      <Transfers />
    </Tooltip.Provider>
  )

describe('transfers', () => {
  it('says which path each transfer took: the engine’s own, or export / load through its API', () => {
    const berth = fakeBerth({ 'transfers.list': () => [] })
    const unbind = bindStores()
    wrap()
    act(() => {
      berth.emit('transfer.progress', transfer())
      berth.emit('transfer.progress', transfer({ id: 't2', source: 'web:2', path: 'export', encoding: 'uncompressed' }))
      berth.emit('transfer.progress', transfer({ id: 't3', kind: 'pull', source: 'localhost:5000/team/app:1.0', path: 'export', encoding: null }))
    })
    expect(within(screen.getByRole('listitem', { name: 'Push app:1.0' })).getByLabelText('Path: docker push')).toBeInTheDocument()
    expect(within(screen.getByRole('listitem', { name: 'Push web:2' })).getByLabelText('Path: by export, uncompressed')).toHaveAttribute('title', expect.stringMatching(/docker save/))
    expect(within(screen.getByRole('listitem', { name: 'Pull localhost:5000/team/app:1.0' })).getByLabelText('Path: by load')).toBeInTheDocument()
    unbind()
  })

  it('says where progress will show when there is none', () => {
    wrap()
    expect(screen.getByText('Pushes and pulls show their progress here.')).toBeInTheDocument()
  })

  it('shows a running push with its overall percent and a bar per layer, fed by progress events', async () => {
    const berth = fakeBerth({ 'transfers.list': () => [], 'transfers.cancel': () => ({ ok: true }) })
    const unbind = bindStores()
    wrap()
    act(() => berth.emit('transfer.progress', transfer()))
    const card = screen.getByRole('listitem', { name: 'Push app:1.0' })
    expect(within(card).getByRole('progressbar', { name: 'Push app:1.0: overall progress' })).toHaveAttribute('aria-valuenow', '50')
    expect(card).toHaveTextContent('50%')
    expect(card).toHaveTextContent('1/2 layers')
    expect(within(card).getByRole('progressbar', { name: 'Layer aaaaaaaaaaaa' })).toHaveAttribute('aria-valuenow', '50')
    expect(within(card).getByText('already there')).toBeInTheDocument()

    await userEvent.click(within(card).getByRole('button', { name: 'Cancel push of app:1.0' }))
    expect(berth.inputs('transfers.cancel')).toEqual([{ id: 't1' }])

    act(() =>
      berth.emit(
        'transfer.progress',
        transfer({
          state: 'done',
          digest: 'sha256:' + '7'.repeat(64),
          overall: { current: 1000, total: 1000, percent: 100, layersDone: 2, layers: 2 },
          layers: [
            { id: 'aaaaaaaaaaaa', phase: 'done', current: 1000, total: 1000, size: null },
            { id: 'bbbbbbbbbbbb', phase: 'exists', current: 0, total: null, size: null }
          ]
        })
      )
    )
    expect(card).toHaveAttribute('data-state', 'done')
    expect(within(card).getByRole('progressbar', { name: /overall/ })).toHaveAttribute('aria-valuenow', '100')
    await userEvent.click(within(card).getByRole('button', { name: 'Show team/app:1.0' }))
    expect(useCatalog.getState().selected).toBe('team/app')
    unbind()
  })

  it('says what a finished push sent and what it mounted, in the registry’s sizes, per layer too', async () => {
    // As the engine ends a push whose busybox base was mounted from another repository: the pushed layer
    // counted uncompressed (18 B), the mounted one with no size; the stored manifest gave both.
    useTransfers.getState().upsert(
      transfer({
        state: 'done',
        digest: 'sha256:' + '7'.repeat(64),
        overall: { current: 18, total: 18, percent: 100, layersDone: 2, layers: 2 },
        layers: [
          { id: 'aaaaaaaaaaaa', phase: 'done', current: 18, total: 18, size: 157 },
          { id: 'bbbbbbbbbbbb', phase: 'mounted', current: 0, total: null, size: 1_064_637 }
        ],
        imageBytes: 1_066_715
      })
    )
    wrap()
    const card = screen.getByRole('listitem', { name: 'Push app:1.0' })
    expect(within(card).getByLabelText('What moved: 1 pushed (157 B) · 1 mounted (1.1 MB) · image 1.1 MB')).toBeVisible()
    expect(card).not.toHaveTextContent('18 B of 18 B')
    await userEvent.click(within(card).getByRole('button', { name: 'Layers' }))
    expect(within(card).getByRole('listitem', { name: 'Layer bbbbbbbbbbbb: mounted, 1.1 MB' })).toBeVisible()
    expect(within(card).getByRole('listitem', { name: 'Layer aaaaaaaaaaaa: done, 157 B' })).toBeVisible()
  })

  it('keeps the running counts while a push runs, and says already there for a push that found everything', () => {
    useTransfers.getState().upsert(transfer())
    useTransfers.getState().upsert(
      transfer({
        id: 't2',
        source: 'web:2',
        state: 'done',
        overall: { current: 0, total: 0, percent: 100, layersDone: 2, layers: 2 },
        layers: [
          { id: 'aaaaaaaaaaaa', phase: 'exists', current: 0, total: null, size: 2_000_000 },
          { id: 'bbbbbbbbbbbb', phase: 'exists', current: 0, total: null, size: 500 }
        ],
        imageBytes: 2_002_000
      })
    )
    wrap()
    expect(screen.getByRole('listitem', { name: 'Push app:1.0' })).toHaveTextContent('1/2 layers500 B of 1.0 kB')
    expect(within(screen.getByRole('listitem', { name: 'Push web:2' })).getByLabelText('What moved: 2 already there (2.0 MB) · image 2.0 MB')).toBeVisible()
  })

  it('never goes back from a finished state when an older event arrives late', () => {
    useTransfers.getState().upsert(transfer({ state: 'done' }))
    useTransfers.getState().upsert(transfer({ state: 'running' }))
    expect(useTransfers.getState().byId.t1.state).toBe('done')
  })

  it('shows a failed transfer’s advice', () => {
    useTransfers.getState().upsert(transfer({ state: 'error', error: { code: 'TRANSFER_FAILED', message: 'The registry refused the push: it is stopped. Start it with `Start registry`.' } }))
    wrap()
    expect(screen.getByRole('alert')).toHaveTextContent('The registry refused the push')
    expect(screen.getByText('Failed')).toBeInTheDocument()
  })

  it('clears finished transfers from view', async () => {
    useTransfers.getState().upsert(transfer({ id: 'a', state: 'done' }))
    useTransfers.getState().upsert(transfer({ id: 'b', source: 'worker:2', state: 'running' }))
    wrap()
    await userEvent.click(screen.getByRole('button', { name: 'Clear finished' }))
    expect(screen.getAllByRole('listitem', { name: /^(Push|Pull) / })).toHaveLength(1)
  })
})
