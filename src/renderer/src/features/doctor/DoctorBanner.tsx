import { useState } from 'react'
import { ENGINE_KIND_NAMES } from '@shared/model/sharing'
import { ChevronDown, ChevronRight, Stethoscope, X } from 'lucide-react'
import { Button, IconButton } from '../../components/Button'
import { Advice } from '../../components/Advice'
import { useDoctor } from '../../store/doctor'
import { useRegistry } from '../../store/registry'
import { DoctorFixes } from './DoctorFixes'

/**
 * Under the header, when the doctor says this machine's Docker engine will not talk to the registry's
 * address from a terminal (plain HTTP outside insecure-registries, a CA it does not trust, an engine
 * in a VM whose localhost is not this machine): why, in plain words, and the exact fix.
 */
export function DoctorBanner() {
  const report = useDoctor((s) => s.report)
  const dismissed = useDoctor((s) => s.dismissed)
  const dismiss = useDoctor((s) => s.dismiss)
  const running = useRegistry((s) => s.status?.state === 'running')
  const [open, setOpen] = useState(false)
  // Nothing answers while the registry is stopped: the registry banner says so already.
  if (!report || report.ok || !running || report.transport === 'unreachable' || dismissed === report.registry) return null
  const vm = report.engine?.sharesLocalhost === false
  const headline = vm
    ? `Docker runs in ${ENGINE_KIND_NAMES[report.engine?.kind ?? 'vm']}: a docker push to ${report.registry} typed in a terminal will not reach Berth.`
    : `Docker on this machine will not push to or pull from ${report.registry} from a terminal yet.`

  return (
    <section aria-label="Docker and this registry" className="shrink-0 border-b border-warning/30 bg-warning-soft px-4 py-2">
      <div className="flex items-start gap-3">
        <Stethoscope className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
        <div className="min-w-0 flex-1">
          <p>
            <span className="font-medium">{headline}</span>{' '}
            {report.dockerError ? (
              <span className="text-muted">
                It would say <code className="rounded bg-code px-1 text-[12px]">{report.dockerError}</code>.
              </span>
            ) : null}{' '}
            <span className="text-muted">The window’s own push and pull still work.</span>
          </p>
          {open ? (
            <div className="mt-2 flex max-h-[50vh] flex-col gap-3 overflow-y-auto pb-1">
              <ul aria-label="Why" className="list-disc space-y-1 pl-5 text-[12px]">
                {report.reasons.map((r) => (
                  <li key={r}>
                    <Advice text={r} />
                  </li>
                ))}
              </ul>
              <DoctorFixes fixes={report.fixes} />
            </div>
          ) : null}
        </div>
        <Button
          size="sm"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          icon={open ? <ChevronDown className="size-3.5" aria-hidden /> : <ChevronRight className="size-3.5" aria-hidden />}
        >
          {open ? 'Hide the fix' : 'Show the fix'}
        </Button>
        <IconButton label="Dismiss for this address" size="sm" onClick={dismiss}>
          <X className="size-3.5" aria-hidden />
        </IconButton>
      </div>
    </section>
  )
}
