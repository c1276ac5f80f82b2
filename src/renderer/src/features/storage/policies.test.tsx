import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { PolicyStatus } from '@shared/model/policy'
import { bindStores } from '../../store/bind'
import { fakeBerth } from '../../test/fake-berth'
import { wrap } from '../../test/storage-view'
import { Policies } from './Policies'

const NOW = '2026-12-01T06:00:00.000Z'
const policy = (o: Partial<PolicyStatus> = {}): PolicyStatus => ({
  id: 'nightly',
  name: 'Nightly PR cleanup',
  enabled: true,
  retention: { tags: 'pr-*', keepLast: 10 },
  gc: { untagged: false, referrers: true },
  everyHours: 24,
  onLowDisk: true,
  createdAt: NOW,
  lastRun: { policy: 'nightly', trigger: 'low-disk', dryRun: false, startedAt: NOW, finishedAt: NOW, retention: { candidates: 3, deleted: 3, skipped: 0, tags: ['ci/app:pr-1', 'ci/app:pr-2', 'ci/app:pr-3'] }, gc: { blobs: 4, manifests: 0, freedBytes: 12_300_000, protected: 0 }, error: null },
  nextRunAt: '2026-12-02T06:00:00.000Z',
  ...o
})

describe('storage policies', () => {
  it('lists each policy with what it does, when, and its last run; runs it by hand; refreshes on policy.changed', async () => {
    let list = [policy()]
    const berth = fakeBerth({ 'policy.list': () => list, 'policy.run': ({ id, dryRun }) => ({ ...policy().lastRun!, policy: id, trigger: 'manual', dryRun: dryRun ?? false }) })
    const unbind = bindStores()
    wrap(<Policies />)
    const item = await screen.findByRole('listitem', { name: 'Policy Nightly PR cleanup' })
    expect(item).toHaveTextContent('every 24 h and when the disk runs low')
    expect(item).toHaveTextContent('retention **:pr-* (keep the last 10), then collect')
    expect(within(item).getByLabelText('Last run')).toHaveTextContent('(low disk): deleted 3 tags; freed 12.3 MB (4 blobs, 0 manifests)')
    await userEvent.click(within(item).getByRole('button', { name: 'Dry run' }))
    expect(berth.inputs('policy.run')).toEqual([{ id: 'nightly', dryRun: true }])
    list = [policy({ lastRun: { ...policy().lastRun!, trigger: 'manual', dryRun: true } })]
    act(() => berth.emit('policy.changed', { id: 'nightly', reason: 'ran' }))
    await waitFor(() => expect(within(screen.getByRole('listitem', { name: 'Policy Nightly PR cleanup' })).getByLabelText('Last run')).toHaveTextContent('(manual, dry run): would delete 3 tags'))
    unbind()
  })

  it('saves a new policy from the form, refusing one that does nothing', async () => {
    const berth = fakeBerth({ 'policy.list': () => [], 'policy.save': (input) => ({ ...policy(), ...input, name: input.name ?? input.id }) as PolicyStatus })
    wrap(<Policies />)
    await userEvent.click(await screen.findByRole('button', { name: 'New policy…' }))
    const form = screen.getByRole('form', { name: 'New policy' })
    await userEvent.type(within(form).getByLabelText('Name'), 'PR cleanup')
    await userEvent.click(within(form).getByRole('checkbox', { name: 'Collect garbage after' }))
    fireEvent.submit(form)
    expect(await within(form).findByRole('alert')).toHaveTextContent('Say what it does')
    await userEvent.type(within(form).getByLabelText('Tags'), 'pr-*')
    await userEvent.type(within(form).getByLabelText('Older than (days)'), '14')
    await userEvent.click(within(form).getByRole('checkbox', { name: 'Collect garbage after' }))
    await userEvent.click(within(form).getByRole('button', { name: 'Save policy' }))
    await waitFor(() =>
      expect(berth.inputs('policy.save')).toEqual([
        { id: 'pr-cleanup', name: 'PR cleanup', retention: { repositories: undefined, tags: 'pr-*', keepLast: undefined, olderThanDays: 14 }, gc: { untagged: false, referrers: true }, everyHours: 24, onLowDisk: false }
      ])
    )
  })
})
