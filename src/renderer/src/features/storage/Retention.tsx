import { useState, type FormEvent } from 'react'
import { ListFilter } from 'lucide-react'
import type { RetentionRule } from '@shared/model/storage'
import { Button } from '../../components/Button'
import { ConfirmDialog } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { formatDate, plural, shortDigest } from '../../lib/format'
import { useStorage, useStorageBusy } from '../../store/storage'
import { Card } from '../../components/Card'
import { Outcome } from '../../components/Outcome'
import { VirtualTable } from './VirtualTable'

/** A date field's day (yyyy-mm-dd) as the start of that day, local time, in ISO 8601. */
function dayToIso(day: string): string | null {
  const t = new Date(`${day}T00:00:00`)
  return Number.isNaN(t.getTime()) ? null : t.toISOString()
}

/** Retention: a rule (repositories, tags, keep last N, older than) → the tags it drops → delete exactly those. */
export function Retention() {
  const preview = useStorage((s) => s.retention)
  const applied = useStorage((s) => s.retentionApplied)
  const previewRetention = useStorage((s) => s.previewRetention)
  const clearRetention = useStorage((s) => s.clearRetention)
  const applyRetention = useStorage((s) => s.applyRetention)
  const busy = useStorageBusy()
  const [repositories, setRepositories] = useState('')
  const [tags, setTags] = useState('')
  const [keepLast, setKeepLast] = useState('')
  const [olderThan, setOlderThan] = useState('')
  const [tried, setTried] = useState(false)
  const [confirming, setConfirming] = useState(false)

  const keepError = keepLast !== '' && !/^\d+$/.test(keepLast) ? 'A number of tags, e.g. 10.' : null
  const ruleError = !keepLast && !olderThan ? 'Say what to drop: keep the last N, older than a date, or both.' : null
  const edit = (setter: (v: string) => void) => (e: { target: { value: string } }) => {
    setter(e.target.value)
    // The preview is what gets deleted: once the rule changes it no longer says what would go.
    if (preview.result || preview.error) clearRetention()
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    if (keepError || ruleError) return
    const rule: RetentionRule = {}
    if (repositories.trim()) rule.repositories = repositories.trim()
    if (tags.trim()) rule.tags = tags.trim()
    if (keepLast) rule.keepLast = Number(keepLast)
    if (olderThan) {
      const iso = dayToIso(olderThan)
      if (iso) rule.olderThan = iso
    }
    void previewRetention(rule)
  }

  const candidates = preview.result
  const repoCount = candidates ? new Set(candidates.map((c) => c.repository)).size : 0
  return (
    <Card id="storage-retention" title="Retention">
      <form onSubmit={submit} className="space-y-3" aria-label="Retention rule">
        <div className="grid grid-cols-2 gap-3">
          <Field label="Repositories" placeholder="* (all)" value={repositories} onChange={edit(setRepositories)} hint="A pattern: team/*, *" mono />
          <Field label="Tags" placeholder="* (all)" value={tags} onChange={edit(setTags)} hint="A pattern: pr-*, *-rc*" mono />
          <Field label="Keep last" inputMode="numeric" placeholder="e.g. 10" value={keepLast} onChange={edit(setKeepLast)} error={keepError} hint="Most recent matching tags kept per repository" />
          <Field label="Pushed before" type="date" value={olderThan} onChange={edit(setOlderThan)} hint="Matching tags pushed earlier go" />
        </div>
        {tried && ruleError ? (
          <p role="alert" className="text-[12px] text-danger">
            {ruleError}
          </p>
        ) : null}
        <div className="flex items-center gap-2">
          <Button type="submit" size="sm" disabled={preview.running || applied.running} icon={<ListFilter className="size-3.5" aria-hidden />}>
            {preview.running ? 'Previewing…' : 'Preview'}
          </Button>
          <span className="text-[12px] text-subtle">Nothing is deleted until you confirm the preview.</span>
        </div>
      </form>

      {preview.error ? <InlineError title="No preview" message={<Advice text={preview.error} />} /> : null}
      {applied.error ? <InlineError title="Tags not deleted" message={<Advice text={applied.error} />} /> : null}
      {applied.result ? (
        <Outcome tone="success" title={`Deleted ${plural(applied.result.deleted, 'tag')}`}>
          {applied.result.skipped > 0 ? `${plural(applied.result.skipped, 'tag')} skipped: moved to another image since the preview. ` : ''}
          Their layers are freed by the next garbage collection.
        </Outcome>
      ) : null}

      {candidates && candidates.length === 0 ? <Outcome tone="neutral" title="No tag matches: nothing would go" /> : null}
      {candidates && candidates.length > 0 ? (
        <div className="space-y-2">
          <div className="flex items-center gap-2">
            <p className="font-medium">
              {plural(candidates.length, 'tag')} in {plural(repoCount, 'repository', 'repositories')} would go
            </p>
            <Button size="sm" variant="danger" className="ml-auto" disabled={busy} onClick={() => setConfirming(true)}>
              {applied.running ? 'Deleting…' : candidates.length === 1 ? 'Delete this tag' : `Delete these ${candidates.length.toLocaleString()} tags`}
            </Button>
          </div>
          <VirtualTable
            label="Tags the rule would delete"
            rows={candidates}
            rowKey={(c) => `${c.repository}:${c.tag}`}
            grid="grid-cols-[minmax(0,1.3fr)_minmax(0,1fr)_120px_150px]"
            columns={[
              { header: 'Repository', cell: (c) => c.repository },
              { header: 'Tag', cell: (c) => <code>{c.tag}</code> },
              { header: 'Digest', cell: (c) => <code title={c.digest}>{shortDigest(c.digest)}</code> },
              { header: 'Pushed', cell: (c) => formatDate(c.pushedAt) }
            ]}
          />
          <ConfirmDialog
            open={confirming}
            onOpenChange={setConfirming}
            title={`Delete ${plural(candidates.length, 'tag')}?`}
            confirmLabel={`Delete ${plural(candidates.length, 'tag')}`}
            onConfirm={() => {
              setConfirming(false)
              void applyRetention()
            }}
          >
            <p>
              Exactly the {plural(candidates.length, 'previewed tag')} in {plural(repoCount, 'repository', 'repositories')} go; clients can no longer pull them.
            </p>
            <p className="text-muted">A tag that moved to another image since the preview is skipped. The layers are freed by the next garbage collection.</p>
          </ConfirmDialog>
        </div>
      ) : null}
    </Card>
  )
}
