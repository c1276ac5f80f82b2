import type { ReactNode } from 'react'
import type { ManifestDetail } from '@shared/model/catalog'
import { Badge } from '../../../components/Badge'
import { formatDate, formatPlatform, formatRelative } from '../../../lib/format'

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="py-1.5 text-[12px] text-muted">{label}</dt>
      <dd className="min-w-0 py-1.5 text-[12px] break-words">{children}</dd>
    </>
  )
}

const none = <span className="text-subtle">—</span>

function Command({ value }: { value: string[] | null }) {
  if (!value || value.length === 0) return none
  return <code className="rounded bg-code px-1 py-px">{JSON.stringify(value)}</code>
}

/** What the image's config says it runs: platform, command, environment, ports, labels. */
export function ConfigTab({ data }: { data: ManifestDetail }) {
  const c = data.image
  if (!c) return null
  const labels = Object.entries(c.labels)
  return (
    <dl className="grid grid-cols-[120px_minmax(0,1fr)] gap-x-4 px-4 py-2">
      <Row label="Platform">{c.os ? formatPlatform({ os: c.os, architecture: c.architecture ?? '?', variant: c.variant ?? undefined }) : none}</Row>
      <Row label="Created">{c.created ? `${formatDate(c.created)} (${formatRelative(c.created)})` : none}</Row>
      <Row label="Entrypoint">
        <Command value={c.entrypoint} />
      </Row>
      <Row label="Cmd">
        <Command value={c.cmd} />
      </Row>
      <Row label="Working dir">{c.workingDir ? <code>{c.workingDir}</code> : none}</Row>
      <Row label="User">{c.user ? <code>{c.user}</code> : none}</Row>
      <Row label="Exposed ports">
        {c.exposedPorts.length ? (
          <span className="flex flex-wrap gap-1">
            {c.exposedPorts.map((p) => (
              <Badge key={p} className="font-mono font-normal">
                {p}
              </Badge>
            ))}
          </span>
        ) : (
          none
        )}
      </Row>
      <Row label={`Env (${c.env.length})`}>
        {c.env.length ? (
          <ul className="space-y-0.5">
            {c.env.map((e) => (
              <li key={e}>
                <code className="break-all">{e}</code>
              </li>
            ))}
          </ul>
        ) : (
          none
        )}
      </Row>
      <Row label={`Labels (${labels.length})`}>
        {labels.length ? (
          <ul className="space-y-0.5">
            {labels.map(([k, v]) => (
              <li key={k} className="break-all">
                <code className="text-muted">{k}</code> = <code>{v}</code>
              </li>
            ))}
          </ul>
        ) : (
          none
        )}
      </Row>
    </dl>
  )
}
