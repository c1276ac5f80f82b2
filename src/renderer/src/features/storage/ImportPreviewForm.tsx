import { useState, type FormEvent } from 'react'
import { destinationName, destinationText, formatText } from '@shared/import-destination'
import { repositoryProblem } from '@shared/reference'
import { Badge } from '../../components/Badge'
import { Button } from '../../components/Button'
import { Field } from '../../components/Field'
import { formatBytes, formatPlatform, plural, shortDigest } from '../../lib/format'
import { useStorage, type ImportJob, type ImportPreview } from '../../store/storage'

type Image = ImportPreview['images'][number]

const TONE: Record<Image['destination'], 'accent' | 'neutral' | 'success' | 'warning' | 'danger'> = {
  'new-repository': 'accent',
  'new-tag': 'accent',
  unchanged: 'success',
  retag: 'warning',
  untagged: 'neutral',
  unnamed: 'danger'
}

/** A name to read: the digest of an untagged image shortened (the full one in its title). */
function shownName(i: Image): string {
  return i.tag || !i.digest ? destinationName(i) : `${i.repository ?? '(no repository)'}@${shortDigest(i.digest)}`
}

/**
 * What the archive holds and where each image would go, before anything is imported: Import only
 * once every image has somewhere to go; another repository previews again first.
 */
export function ImportPreviewForm({ job, preview }: { job: ImportJob; preview: ImportPreview }) {
  const previewImport = useStorage((s) => s.previewImport)
  const confirmImport = useStorage((s) => s.confirmImport)
  const closeImport = useStorage((s) => s.closeImport)
  const [repository, setRepository] = useState(job.repository ?? '')
  const typed = repository.trim()
  const changed = typed !== (job.repository ?? '')
  const problem = typed ? repositoryProblem(typed) : null
  const unnamed = preview.images.filter((i) => i.destination === 'unnamed').length
  const what = formatText(preview.format)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (problem) return
    if (changed) void previewImport(typed || undefined)
    else void confirmImport()
  }
  return (
    <form onSubmit={submit} aria-label="What the archive holds" className="space-y-3">
      <p className="text-[12px] text-muted">
        {what[0].toUpperCase() + what.slice(1)}, {formatBytes(preview.bytes)}: {plural(preview.images.length, 'image')}. Nothing is imported yet.
      </p>
      <ul aria-label="Images in the archive" className="max-h-56 divide-y divide-line/60 overflow-y-auto rounded-md border border-line">
        {preview.images.map((i, n) => (
          <li key={`${n}:${destinationName(i)}`} aria-label={`${destinationName(i)}: ${destinationText(i)}`} className="flex items-center gap-2 px-2 py-1.5">
            <div className="min-w-0 flex-1">
              <code className="block truncate text-[12px]" title={i.digest ?? undefined}>
                {shownName(i)}
              </code>
              {i.platforms.length > 0 ? <span className="block truncate text-[11px] text-subtle">{i.platforms.map(formatPlatform).join(', ')}</span> : null}
            </div>
            <Badge tone={TONE[i.destination]} title={i.current ?? undefined}>
              {destinationText(i)}
            </Badge>
          </li>
        ))}
      </ul>
      <Field
        label="Into repository"
        placeholder={unnamed > 0 ? 'team/app' : 'the names above'}
        value={repository}
        onChange={(e) => setRepository(e.target.value)}
        error={problem ?? (unnamed > 0 && !changed ? `The archive names no repository for ${plural(unnamed, 'image')}: choose one.` : null)}
        hint="Optional: every image goes into this repository instead, tags kept."
        mono
      />
      <div className="flex justify-end gap-2">
        <Button type="button" variant="secondary" onClick={closeImport}>
          Cancel
        </Button>
        {changed ? (
          <Button type="submit" disabled={!!problem}>
            Preview again
          </Button>
        ) : (
          <Button type="submit" variant="primary" disabled={preview.needsRepository}>
            Import {plural(preview.images.length, 'image')}
          </Button>
        )}
      </div>
    </form>
  )
}
