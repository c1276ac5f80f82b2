import { useState, type FormEvent } from 'react'
import { FileDown, FileUp, X } from 'lucide-react'
import { Button, IconButton } from '../../components/Button'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Spinner } from '../../components/Spinner'
import { formatBytes, plural } from '../../lib/format'
import { isImporting, useStorage, useStorageBusy } from '../../store/storage'
import { Card } from '../../components/Card'
import { OperationProgress } from './OperationProgress'
import { Outcome } from '../../components/Outcome'

/** `team/app:1.0, team/web` → the references, split on commas and spaces. */
export function parseReferences(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean)
}

/** Export tags or repositories to one tar (OCI or docker save); import an archive by path (or by dropping it on the window). */
export function ExportImport() {
  return (
    <Card id="storage-transfer" title="Export and import">
      <ExportForm />
      <div className="border-t border-line" />
      <ImportForm />
    </Card>
  )
}

function ExportForm() {
  const selection = useStorage((s) => s.exportSelection)
  const toggleExport = useStorage((s) => s.toggleExport)
  const exported = useStorage((s) => s.exported)
  const exportImages = useStorage((s) => s.exportImages)
  const conflict = useStorage((s) => s.exportConflict)
  const [extra, setExtra] = useState('')
  const [file, setFile] = useState('')
  const [format, setFormat] = useState<'oci' | 'docker'>('oci')
  const [tried, setTried] = useState(false)
  const busy = useStorageBusy()
  const references = [...new Set([...selection, ...parseReferences(extra)])]
  const refsError = references.length === 0 ? 'Select repositories in the list, or type tags such as team/app:1.0.' : null
  const fileError = !file.trim() ? 'Where to write the archive, e.g. /home/dev/images.tar.' : !file.trim().startsWith('/') && !/^[A-Za-z]:[\\/]/.test(file.trim()) ? 'A full path, starting with /.' : null
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    if (refsError || fileError) return
    void exportImages({ references, file: file.trim(), format })
  }
  return (
    <form onSubmit={submit} aria-labelledby="storage-export-title" className="space-y-2.5">
      <h3 id="storage-export-title" className="flex items-center gap-1.5 font-medium">
        <FileDown className="size-3.5 text-muted" aria-hidden /> Export
      </h3>
      {selection.length > 0 ? (
        <ul aria-label="Selected for export" className="flex flex-wrap gap-1">
          {selection.map((r) => (
            <li key={r} className="inline-flex h-6 items-center gap-0.5 rounded border border-accent-line bg-accent-soft pr-0.5 pl-1.5 text-[12px] text-accent">
              {r}
              <IconButton label={`Remove ${r} from the export`} size="xs" className="size-5" onClick={() => toggleExport(r)}>
                <X className="size-3" aria-hidden />
              </IconButton>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-[12px] text-subtle">Tick repositories in the list above, or name tags below.</p>
      )}
      <Field label={selection.length > 0 ? 'More tags or repositories' : 'Tags or repositories'} placeholder="team/app:1.0 team/web" value={extra} onChange={(e) => setExtra(e.target.value)} error={tried ? refsError : null} mono />
      <div className="grid grid-cols-[minmax(0,1fr)_auto] items-end gap-3">
        <Field label="Save as" placeholder="/home/dev/images.tar" value={file} onChange={(e) => setFile(e.target.value)} error={tried ? fileError : null} mono />
        <fieldset className="flex h-8 items-center gap-3">
          <legend className="sr-only">Format</legend>
          {(
            [
              ['oci', 'OCI archive'],
              ['docker', 'docker save']
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-1.5 whitespace-nowrap">
              <input type="radio" name="export-format" value={value} checked={format === value} onChange={() => setFormat(value)} className="accent-[var(--accent)]" />
              {label}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="flex items-center gap-2">
        <Button type="submit" size="sm" disabled={busy} icon={exported.running ? <Spinner className="size-3.5" /> : undefined}>
          {exported.running ? 'Exporting…' : references.length > 0 ? `Export ${plural(references.length, 'reference')}` : 'Export'}
        </Button>
        <span className="text-[12px] text-subtle">{format === 'docker' ? 'Loads with docker load.' : 'Loads with skopeo, crane, podman or docker load.'}</span>
      </div>
      {exported.running ? <OperationProgress operation="export" label="Export" /> : null}
      {exported.error && conflict !== null && conflict === file.trim() ? (
        <InlineError
          title={`${conflict} already exists`}
          message="Replace it with this export, or choose another file name."
          action={
            <Button size="sm" variant="danger" disabled={busy} onClick={() => void exportImages({ references, file: conflict, format, overwrite: true })}>
              Replace the file
            </Button>
          }
        />
      ) : exported.error ? (
        <InlineError title="Not exported" message={<Advice text={exported.error} />} />
      ) : null}
      {exported.result ? (
        <Outcome tone="success" title={`Exported ${plural(exported.result.images.length, 'image')} (${formatBytes(exported.result.bytes)})`}>
          To <code className="rounded bg-code px-1 break-all">{exported.result.file}</code>, {exported.result.format === 'oci' ? 'OCI archive' : 'docker save format'}.
        </Outcome>
      ) : null}
    </form>
  )
}

function ImportForm() {
  const job = useStorage((s) => s.importJob)
  const importPath = useStorage((s) => s.importPath)
  const [path, setPath] = useState('')
  const [repository, setRepository] = useState('')
  const running = isImporting(job)
  const busy = useStorageBusy()
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!path.trim() || running) return
    void importPath(path.trim(), repository.trim() || undefined)
  }
  return (
    <form onSubmit={submit} aria-labelledby="storage-import-title" className="space-y-2.5">
      <h3 id="storage-import-title" className="flex items-center gap-1.5 font-medium">
        <FileUp className="size-3.5 text-muted" aria-hidden /> Import
      </h3>
      <p className="text-[12px] text-subtle">
        An OCI archive, a <code className="rounded bg-code px-1">docker save</code> tarball or an OCI layout folder; no Docker needed. Or drop a <code className="rounded bg-code px-1">.tar</code> anywhere on the window.
      </p>
      <div className="grid grid-cols-[minmax(0,1.6fr)_minmax(0,1fr)] gap-3">
        <Field label="Archive or folder" placeholder="/home/dev/images.tar" value={path} onChange={(e) => setPath(e.target.value)} mono />
        <Field label="Into repository (optional)" placeholder="named in the archive" value={repository} onChange={(e) => setRepository(e.target.value)} mono />
      </div>
      <Button type="submit" size="sm" disabled={busy || !path.trim()}>
        Import…
      </Button>
    </form>
  )
}
