import { useEffect, useState, type ReactNode } from 'react'
import { FileUp } from 'lucide-react'
import { Button } from '../../components/Button'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { ProgressBar } from '../../components/ProgressBar'
import { IMAGE_MIME } from '../images/drag'
import { formatBytes, plural, shortDigest } from '../../lib/format'
import { notify } from '../../store/notices'
import { useCatalog } from '../../store/catalog'
import { isImporting, useStorage } from '../../store/storage'
import { useView } from '../../store/view'
import { OperationProgress } from './OperationProgress'
import { ImportPreviewForm } from './ImportPreviewForm'
import { Spinner } from '../../components/Spinner'
import { Outcome } from '../../components/Outcome'

/** An import, wherever it started (a dropped file or Import…): upload, progress, what came in, or why not. */
export function ImportDialog() {
  const job = useStorage((s) => s.importJob)
  const closeImport = useStorage((s) => s.closeImport)
  const showView = useView((s) => s.show)
  const running = isImporting(job)
  return (
    <Modal
      open={job !== null}
      onOpenChange={(open) => {
        if (!open) closeImport()
      }}
      title="Import images"
      description={
        job ? (
          <>
            From <code className="rounded bg-code px-1 break-all">{job.source}</code>
          </>
        ) : undefined
      }
    >
      {job ? (
        <div className="space-y-3">
          {job.phase === 'uploading' ? <OperationProgressUpload /> : null}
          {job.phase === 'previewing' ? (
            <div role="status" className="flex items-center gap-2 text-muted">
              <Spinner /> Reading what {job.source} holds…
            </div>
          ) : null}
          {job.phase === 'preview' && job.preview ? <ImportPreviewForm key={job.repository ?? ''} job={job} preview={job.preview} /> : null}
          {job.phase === 'importing' ? <OperationProgress operation="import" label="Import" /> : null}
          {job.phase === 'error' && job.error ? <ImportError key={job.repository ?? ''} /> : null}
          {job.phase === 'done' && job.result ? (
            <>
              <Outcome tone="success" title={`Imported ${plural(job.result.images.length, 'image')}: ${plural(job.result.blobs, 'blob')}, ${formatBytes(job.result.bytes)}`}>
                {job.result.format === 'docker-archive' ? 'A docker save archive.' : job.result.format === 'oci-archive' ? 'An OCI archive.' : 'An OCI image layout.'}
              </Outcome>
              <ul aria-label="Imported images" className="max-h-48 space-y-0.5 overflow-y-auto">
                {job.result.images.map((i) => {
                  // An image the archive names only by digest comes in untagged.
                  const name = i.tag ? `${i.repository}:${i.tag}` : `${i.repository}@${shortDigest(i.digest)}`
                  return (
                    <li key={`${i.repository}@${i.digest}:${i.tag ?? ''}`} className="flex items-center gap-2">
                      <code className="min-w-0 truncate text-[12px]" title={i.tag ? undefined : i.digest}>
                        {name}
                      </code>
                      {i.tag ? null : <span className="text-[11px] text-subtle">untagged</span>}
                      <Button
                        size="sm"
                        variant="ghost"
                        className="ml-auto h-6 px-2"
                        aria-label={`Show ${name}`}
                        onClick={() => {
                          closeImport()
                          showView('catalog')
                          useCatalog.getState().select(i.repository)
                          useCatalog.getState().openReference(i.tag ?? i.digest)
                        }}
                      >
                        Show
                      </Button>
                    </li>
                  )
                })}
              </ul>
            </>
          ) : null}
          {job.phase === 'preview' ? null : (
            <div className="flex justify-end">
              <Button variant={job.phase === 'done' ? 'primary' : 'secondary'} disabled={running} onClick={closeImport}>
                {running ? 'Importing…' : job.phase === 'done' ? 'Done' : job.phase === 'previewing' ? 'Cancel' : 'Close'}
              </Button>
            </div>
          )}
        </div>
      ) : null}
    </Modal>
  )
}

function OperationProgressUpload() {
  return (
    <div className="space-y-1">
      <ProgressBar value={null} running label="Uploading the archive to Berth" />
      <p className="text-[12px] text-muted">Uploading: Berth’s service gets a copy of the file first, then imports it.</p>
    </div>
  )
}

/**
 * Why not, as the service said it. Only an error about the repository (none named, or an invalid
 * one) brings the field to fix it; a missing or unreadable file is one sentence about the file.
 */
function ImportError() {
  const job = useStorage((s) => s.importJob)!
  const previewImport = useStorage((s) => s.previewImport)
  const [repository, setRepository] = useState(job.repository ?? '')
  if (!job.errorAboutRepository || !job.path) return <InlineError message={<Advice text={job.error!} />} />
  return (
    <form
      className="flex items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault()
        void previewImport(repository.trim() || undefined)
      }}
    >
      <Field className="flex-1" label="Into repository" placeholder="team/app" value={repository} onChange={(e) => setRepository(e.target.value)} error={job.error} mono />
      <Button type="submit">Preview again</Button>
    </form>
  )
}

function carriesFiles(e: DragEvent): boolean {
  const types = Array.from(e.dataTransfer?.types ?? [])
  return types.includes('Files') && !types.includes(IMAGE_MIME)
}

/**
 * The whole window takes a dropped `.tar`: it is imported (uploaded first in a browser). Listens on
 * the window, not on an element, so that a file dropped anywhere (a dialog, the toaster) is never
 * opened by the browser or Electron in place of the app.
 */
export function FileDropZone({ children, className }: { children: ReactNode; className?: string }) {
  const [over, setOver] = useState(false)
  const importFile = useStorage((s) => s.importFile)
  useEffect(() => {
    const onEnterOrOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return
      e.preventDefault()
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'
      setOver(true)
    }
    const onLeave = (e: DragEvent) => {
      // Moving between elements names the next one; leaving the window names none.
      if (e.relatedTarget === null) setOver(false)
    }
    const onDrop = (e: DragEvent) => {
      setOver(false)
      if (!carriesFiles(e)) return
      e.preventDefault()
      const file = e.dataTransfer?.files?.[0]
      if (!file) return
      if (!/\.tar$/i.test(file.name)) {
        notify({ kind: 'error', title: `${file.name} is not a .tar archive`, message: 'Berth imports OCI archives and `docker save` tarballs (.tar). For an OCI layout folder, use Import… in Storage.' })
        return
      }
      void importFile(file)
    }
    window.addEventListener('dragenter', onEnterOrOver)
    window.addEventListener('dragover', onEnterOrOver)
    window.addEventListener('dragleave', onLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      window.removeEventListener('dragenter', onEnterOrOver)
      window.removeEventListener('dragover', onEnterOrOver)
      window.removeEventListener('dragleave', onLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [importFile])
  return (
    <div className={className}>
      {children}
      {over ? (
        <div className="pointer-events-none fixed inset-3 z-30 flex items-center justify-center rounded-xl border-2 border-dashed border-accent bg-accent-soft/80 backdrop-blur-[1px]" aria-hidden>
          <div className="flex items-center gap-3 rounded-lg bg-panel px-5 py-4 shadow-pop">
            <FileUp className="size-6 text-accent" />
            <div>
              <p className="font-semibold">Drop to import into the registry</p>
              <p className="text-[12px] text-muted">An OCI archive or a docker save .tar</p>
            </div>
          </div>
        </div>
      ) : null}
    </div>
  )
}
