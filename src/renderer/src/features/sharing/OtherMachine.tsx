import { MonitorSmartphone } from 'lucide-react'
import { Card } from '../../components/Card'
import { CommandList } from '../../components/CommandList'
import { CopyButton } from '../../components/CopyButton'
import { Advice } from '../../components/Advice'
import { WarningList } from '../../components/WarningList'
import { useSharing } from '../../store/sharing'

/** The exact steps for another machine (sharing.info): trust the CA, log in, pull, Swarm, Kubernetes — each with copy buttons. */
export function OtherMachine() {
  const info = useSharing((s) => s.info)
  if (!info) return null
  return (
    <Card id="sharing-other-machine" title="Use from another machine">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-[12px]">
        <MonitorSmartphone className="size-4 text-muted" aria-hidden />
        <span className="text-muted">Address</span>
        <code className="font-medium">{info.address}</code>
        <CopyButton text={info.address} label="Copy the shared address" size="xs" />
        {info.addresses.length > 1 ? <span className="text-subtle">also {info.addresses.filter((a) => a !== info.address).join(', ')}</span> : null}
      </div>
      <WarningList warnings={info.warnings} label="Before you start" />
      <ol className="flex flex-col gap-4" aria-label="Steps">
        {info.steps.map((step, i) => (
          <li key={step.id} aria-label={step.title} className="flex flex-col gap-1.5">
            <h3 className="font-medium">
              <span className="mr-1.5 text-subtle tabular-nums">{i + 1}.</span>
              {step.title}
            </h3>
            {step.note ? (
              <p className="text-[12px] text-muted">
                <Advice text={step.note} />
              </p>
            ) : null}
            <CommandList commands={step.commands} label={step.title} />
          </li>
        ))}
      </ol>
    </Card>
  )
}
