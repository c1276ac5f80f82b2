import { useEffect, useState, type FormEvent } from 'react'
import { CalendarClock } from 'lucide-react'
import type { PolicyStatus } from '@shared/model/policy'
import { describePolicy, describeRun, describeSchedule } from '@shared/policy-text'
import { Button } from '../../components/Button'
import { Card } from '../../components/Card'
import { Checkbox } from '../../components/Checkbox'
import { Field } from '../../components/Field'
import { EmptyState, InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { formatDate, formatRelative } from '../../lib/format'
import { usePolicies } from '../../store/policies'
import { useStorageBusy } from '../../store/storage'

const whole = (v: string) => (v.trim() === '' ? undefined : /^\d+$/.test(v.trim()) ? Number(v) : NaN)

/** Saved storage policies: what each does and when, its last run's report, run now or dry run; and a form for a new one. */
export function Policies() {
  const items = usePolicies((s) => s.items)
  const error = usePolicies((s) => s.error)
  const runError = usePolicies((s) => s.runError)
  const load = usePolicies((s) => s.load)
  const [adding, setAdding] = useState(false)
  useEffect(() => {
    void load()
  }, [load])
  return (
    <Card id="storage-policies" title="Policies" actions={<Button size="sm" onClick={() => setAdding(!adding)} aria-expanded={adding}>{adding ? 'Cancel' : 'New policy…'}</Button>}>
      <p className="text-[12px] text-muted">Retention and collection saved as a policy, run on a schedule and when the disk runs low, while Berth runs. Also <code className="rounded bg-code px-1">berth policy</code>.</p>
      {error ? <InlineError title="Could not read the policies" message={<Advice text={error} />} /> : null}
      {runError ? <InlineError title="Not run" message={<Advice text={runError} />} /> : null}
      {adding ? <PolicyForm onDone={() => setAdding(false)} /> : null}
      {items && items.length === 0 && !adding ? (
        <EmptyState icon={<CalendarClock className="size-6" />} title="No policies yet">
          e.g. keep the last 10 <code className="rounded bg-code px-1">pr-*</code> tags of every repository, then collect, every day.
        </EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <ul aria-label="Policies" className="flex flex-col gap-2">
          {items.map((p) => (
            <PolicyItem key={p.id} policy={p} />
          ))}
        </ul>
      ) : null}
    </Card>
  )
}

function PolicyItem({ policy }: { policy: PolicyStatus }) {
  const run = usePolicies((s) => s.run)
  const remove = usePolicies((s) => s.remove)
  const running = usePolicies((s) => s.running === policy.id)
  const busy = useStorageBusy()
  const last = policy.lastRun
  return (
    <li aria-label={`Policy ${policy.name}`} className="rounded-md border border-line p-2.5">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{policy.name}</span>
        <span className="text-[12px] text-muted">{describeSchedule(policy)}</span>
        {policy.nextRunAt ? (
          <span className="text-[11px] text-subtle" title={formatDate(policy.nextRunAt)}>
            next {formatDate(policy.nextRunAt)}
          </span>
        ) : null}
        <div className="ml-auto flex gap-1">
          <Button size="sm" disabled={busy || running} onClick={() => void run(policy.id, true)}>
            Dry run
          </Button>
          <Button size="sm" disabled={busy || running} onClick={() => void run(policy.id, false)}>
            {running ? 'Running…' : 'Run now'}
          </Button>
          <Button size="sm" variant="ghost" aria-label={`Remove policy ${policy.name}`} onClick={() => void remove(policy.id).catch(() => {})}>
            Remove
          </Button>
        </div>
      </div>
      <p className="mt-1 text-[12px]">{describePolicy(policy)}</p>
      <p className="mt-1 text-[12px] text-muted" aria-label="Last run">
        {last ? (
          <>
            <span title={formatDate(last.startedAt)}>Last run {formatRelative(last.startedAt)}</span> ({last.trigger === 'low-disk' ? 'low disk' : last.trigger}
            {last.dryRun ? ', dry run' : ''}): <span className={last.error ? 'text-danger' : undefined}>{describeRun(last)}</span>
          </>
        ) : (
          'Not run yet.'
        )}
      </p>
      {last?.retention?.tags.length ? (
        <details className="mt-1 text-[12px]">
          <summary className="cursor-default rounded text-muted hover:text-fg focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none">{last.dryRun ? 'Tags it would delete' : 'Tags it deleted'}</summary>
          <p className="mt-1 font-mono text-[11px] break-words">{last.retention.tags.join(', ')}{last.retention.candidates > last.retention.tags.length ? ` and ${last.retention.candidates - last.retention.tags.length} more` : ''}</p>
        </details>
      ) : null}
    </li>
  )
}

function PolicyForm({ onDone }: { onDone(): void }) {
  const save = usePolicies((s) => s.save)
  const [f, setF] = useState({ name: '', repositories: '', tags: '', keepLast: '', olderThanDays: '', gc: true, untagged: false, everyHours: '24', onLowDisk: false })
  const [error, setError] = useState<string | null>(null)
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const id = f.name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63)
  const keepLast = whole(f.keepLast)
  const olderThanDays = whole(f.olderThanDays)
  const everyHours = whole(f.everyHours)
  const hasRule = keepLast !== undefined || olderThanDays !== undefined
  const problem = !id
    ? 'Give it a name.'
    : [keepLast, olderThanDays, everyHours].some((n) => Number.isNaN(n))
      ? 'Numbers are whole numbers.'
      : !hasRule && !f.gc
        ? 'Say what it does: keep the last N or older than N days, or collect garbage.'
        : null
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (problem) return setError(problem)
    try {
      await save({
        id,
        name: f.name.trim(),
        retention: hasRule ? { repositories: f.repositories || undefined, tags: f.tags || undefined, keepLast, olderThanDays } : null,
        gc: f.gc ? { untagged: f.untagged, referrers: true } : null,
        everyHours: everyHours ?? null,
        onLowDisk: f.onLowDisk
      })
      onDone()
    } catch (err) {
      setError(messageOf(err))
    }
  }
  return (
    <form aria-label="New policy" onSubmit={(e) => void submit(e)} className="grid grid-cols-2 gap-2 rounded-md border border-line bg-canvas p-2.5">
      <Field label="Name" value={f.name} onChange={set('name')} placeholder="Nightly PR cleanup" className="col-span-2" />
      <Field label="Repositories" value={f.repositories} onChange={set('repositories')} placeholder="** (all)" mono />
      <Field label="Tags" value={f.tags} onChange={set('tags')} placeholder="* (all), e.g. pr-*" mono />
      <Field label="Keep the last" value={f.keepLast} onChange={set('keepLast')} inputMode="numeric" placeholder="e.g. 10" />
      <Field label="Older than (days)" value={f.olderThanDays} onChange={set('olderThanDays')} inputMode="numeric" placeholder="e.g. 30" />
      <Field label="Every (hours)" value={f.everyHours} onChange={set('everyHours')} inputMode="numeric" hint="Empty: by hand (and low disk) only." />
      <div className="flex flex-col justify-center gap-1.5 text-[12px]">
        <Checkbox label="Collect garbage after" checked={f.gc} onChange={(gc) => setF({ ...f, gc })} />
        <Checkbox label="Untagged manifests too" checked={f.untagged} disabled={!f.gc} onChange={(untagged) => setF({ ...f, untagged })} />
        <Checkbox label="Also when the disk runs low" checked={f.onLowDisk} onChange={(onLowDisk) => setF({ ...f, onLowDisk })} />
      </div>
      {error ? <InlineError className="col-span-2" title="Not saved" message={<Advice text={error} />} /> : null}
      <div className="col-span-2 flex justify-end">
        <Button type="submit" variant="primary" size="sm">
          Save policy
        </Button>
      </div>
    </form>
  )
}
