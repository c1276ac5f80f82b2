import { useMemo } from 'react'
import { PackageOpen, PackagePlus } from 'lucide-react'
import { ENGINE_KIND_NAMES } from '@shared/model/sharing'
import { CommandList } from '../../components/CommandList'
import { cn } from '../../lib/cn'
import { defaultTag, suggestRepository } from '../../lib/format'
import { inVm, useDoctor } from '../../store/doctor'
import { useImages } from '../../store/images'
import { useRegistry } from '../../store/registry'
import { useTransfers } from '../../store/transfers'
import { useImageDrop } from '../images/drag'
import { DoctorFixes } from '../doctor/DoctorFixes'

/**
 * Nothing stored yet: a big drop target and the exact commands for this registry's address — for
 * THIS engine: when the doctor says a terminal's docker cannot reach it (an engine in a VM, plain
 * HTTP outside insecure-registries), what works there instead.
 */
export function EmptyRegistry() {
  // With port 0 (any free port) a stopped registry has no address yet.
  const pullHost = useRegistry((s) => (s.status && (s.status.state === 'running' || s.status.port !== 0) ? s.status.pullHost : 'localhost:<port>'))
  const running = useRegistry((s) => s.status?.state === 'running')
  const images = useImages((s) => s.images)
  const dragging = useImages((s) => s.dragging)
  // With the engine down there is no local image to drag: say what works instead.
  const engineDown = useImages((s) => s.engine !== null && !s.engine.reachable)
  const openPush = useTransfers((s) => s.openPush)
  const { over, props } = useImageDrop((image) => openPush({ image, repository: null }))
  const report = useDoctor((s) => s.report)

  // A real local image makes the commands copy-paste ready; one of this registry's own is a poor example.
  const example = useMemo(() => {
    const refs = (images ?? []).flatMap((i) => i.tags).filter((t) => !/^(localhost|127\.0\.0\.1)(:\d+)?\//.test(t))
    return refs[0] ?? 'app:1.0'
  }, [images])
  const target = `${pullHost}/${suggestRepository(example) || 'app'}:${defaultTag(example)}`
  const commands = [`docker tag ${example} ${target}`, `docker push ${target}`]

  return (
    <main aria-label="Empty registry" className="flex min-h-0 flex-1 items-center justify-center overflow-y-auto bg-canvas p-6">
      <div className="w-full max-w-[560px]">
        <div className="mb-5 flex flex-col items-center text-center">
          <PackageOpen className="mb-2 size-9 text-subtle" aria-hidden />
          <h2 className="text-[16px] font-semibold">Your registry is empty</h2>
          <p className="mt-1 text-muted">
            {engineDown
              ? 'Push a first image from any client (docker on another engine, skopeo, podman, CI) with commands like these, or import an archive in the Storage view. Local images show here once Docker is reachable.'
              : 'Push a first image: drag one from Local images onto the area below, or run these commands in a terminal.'}
          </p>
        </div>

        {engineDown ? null : (
        <div
          {...props}
          role="region"
          aria-label="Drop an image to push it"
          className={cn(
            'flex flex-col items-center justify-center gap-1 rounded-lg border-2 border-dashed px-6 py-7 text-center transition-colors',
            over ? 'border-accent bg-accent-soft text-accent' : dragging ? 'border-accent-line bg-accent-soft/50' : 'border-line-strong bg-panel text-muted'
          )}
        >
          <PackagePlus className="size-6" aria-hidden />
          <p className="font-medium text-fg">{over ? 'Release to choose a repository name' : 'Drop a local image here'}</p>
          <p className="text-[12px]">You choose the repository name and tag before anything is pushed.</p>
        </div>
        )}

        <div className="mt-5">
          <h3 className="mb-1.5 text-[11px] font-semibold tracking-wide text-muted uppercase">From a terminal</h3>
          {inVm(report) && report ? (
            <div className="flex flex-col gap-3">
              <p className="text-[12px] text-muted">
                Docker runs in {ENGINE_KIND_NAMES[report.engine?.kind ?? 'vm']}: a terminal’s <code className="rounded bg-code px-1">docker push {pullHost}/…</code> goes from there, where {pullHost.replace(/:\d+$/, '')} is not this machine. These work from a terminal instead:
              </p>
              <DoctorFixes fixes={report.fixes} />
            </div>
          ) : (
            <>
              {report && !report.ok && report.transport !== 'unreachable' ? (
                <div className="mb-3 flex flex-col gap-3 rounded-md border border-warning/30 bg-warning-soft p-3">
                  <p className="text-[12px]">Docker on this machine refuses {report.registry} as it is set up now{report.dockerError ? ` (${report.dockerError})` : ''}. First:</p>
                  <DoctorFixes fixes={report.fixes} />
                </div>
              ) : null}
              <CommandList commands={commands} label="Commands to push an image" />
            </>
          )}
          {!running ? <p className="mt-2 text-[12px] text-warning">Start the registry first: it is stopped, so a push would be refused.</p> : null}
        </div>
      </div>
    </main>
  )
}
