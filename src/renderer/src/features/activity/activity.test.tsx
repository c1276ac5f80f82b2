import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { bindStores } from '../../store/bind'
import { fail, fakeBerth } from '../../test/fake-berth'
import { activityEntry } from '../../test/sharing-fixtures'
import { wrap } from '../../test/storage-view'
import { ActivityView } from './ActivityView'

const rows = () => within(screen.getByRole('table', { name: 'Requests' })).getAllByRole('row').slice(1)

describe('the activity view', () => {
  it('shows a loading state, then the error with its advice', async () => {
    fakeBerth({ 'activity.list': () => fail('INTERNAL', 'The access log cannot be read; check <data>/berth/logs.') })
    wrap(<ActivityView />)
    expect(screen.getByRole('status', { name: 'Loading activity' })).toBeInTheDocument()
    expect(await screen.findByRole('alert')).toHaveTextContent('check <data>/berth/logs')
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument()
  })

  it('says when nothing happened yet', async () => {
    fakeBerth({ 'activity.list': () => [] })
    wrap(<ActivityView />)
    expect(await screen.findByText('No requests yet')).toBeInTheDocument()
  })

  it('lists who did what: time, account, client, method, repository, reference, status, bytes, duration', async () => {
    fakeBerth({
      'activity.list': () => [
        activityEntry(),
        activityEntry({ account: 'anonymous', method: 'GET', route: 'blob', reference: `sha256:${'a'.repeat(64)}`, status: 200, bytesIn: 0, bytesOut: 3_000_000, durationMs: 1500 }),
        activityEntry({ account: 'anonymous', method: 'GET', route: 'base', repository: '', reference: '', status: 401, bytesIn: 0, bytesOut: 0, durationMs: 1 })
      ]
    })
    wrap(<ActivityView />)
    await screen.findByRole('table', { name: 'Requests' })
    const cells = (i: number) => within(rows()[i]).getAllByRole('cell').map((c) => c.textContent)
    expect(cells(0).slice(1)).toEqual(['alice', '192.168.1.31', 'PUT', 'team/app', '1.0', '201', '1.2 kB', '12 ms'])
    expect(cells(1)).toEqual(expect.arrayContaining(['anonymous', 'GET', `sha256:${'a'.repeat(12)}`, '200', '3.0 MB', '1.5 s']))
    expect(within(rows()[1]).getByLabelText('sent')).toBeInTheDocument()
    // The base route has no repository: its route name stands in.
    expect(cells(2)).toEqual(expect.arrayContaining(['base', '—', '401']))
  })

  it('appends live entries at the top without asking again, and skips those the filter excludes', async () => {
    const berth = fakeBerth({ 'activity.list': () => [activityEntry({ reference: '1.0' })] })
    const unbind = bindStores()
    wrap(<ActivityView />)
    await screen.findByRole('table', { name: 'Requests' })
    const asked = berth.inputs('activity.list').length
    act(() => berth.emit('activity.entry', activityEntry({ reference: '2.0', account: 'bob' })))
    await waitFor(() => expect(rows()).toHaveLength(2))
    expect(rows()[0]).toHaveTextContent('bob')
    expect(berth.inputs('activity.list').length).toBe(asked)

    // Filter by account: asked once with the filter; a live entry of another account stays out.
    berth.handlers['activity.list'] = () => [activityEntry({ account: 'bob', reference: '2.0' })]
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Account' }), 'bob')
    await waitFor(() => expect(rows()).toHaveLength(1))
    expect(berth.inputs('activity.list').at(-1)).toEqual({ account: 'bob', limit: 5000 })
    act(() => berth.emit('activity.entry', activityEntry({ account: 'alice', reference: '3.0' })))
    act(() => berth.emit('activity.entry', activityEntry({ account: 'bob', reference: '4.0', status: 404 })))
    await waitFor(() => expect(rows()).toHaveLength(2))
    expect(rows()[0]).toHaveTextContent('4.0')

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Status' }), '4xx')
    expect(berth.inputs('activity.list').at(-1)).toEqual({ account: 'bob', status: '4xx', limit: 5000 })
    await userEvent.click(screen.getByRole('button', { name: 'Clear filters' }))
    expect(berth.inputs('activity.list').at(-1)).toEqual({ limit: 5000 })
    unbind()
  })
})
