import { formatReference } from '@shared/reference'
import { CopyButton } from '../../../components/CopyButton'
import { useRegistry } from '../../../store/registry'

/** `docker pull` by tag and, beside it, pinned to the digest (what a deployment should pull). */
export function PullCommands({ repository, reference, digest }: { repository: string; reference: string; digest: string }) {
  const pullHost = useRegistry((s) => s.status?.pullHost ?? 'localhost:5000')
  const commands = [...(reference !== digest ? [{ label: 'By tag', text: `docker pull ${formatReference(pullHost, repository, reference)}` }] : []), { label: 'Pinned', text: `docker pull ${formatReference(pullHost, repository, digest)}` }]
  return (
    <ul aria-label="Pull commands" className="mt-2 flex flex-wrap gap-x-4 gap-y-1">
      {commands.map((c) => (
        <li key={c.label} className="flex min-w-0 max-w-full items-center gap-1 text-[12px]">
          <span className="shrink-0 text-[11px] text-muted">{c.label}</span>
          <code className="min-w-0 truncate rounded bg-code px-1 py-0.5" title={c.text}>
            {c.text}
          </code>
          <CopyButton text={c.text} label={`Copy: ${c.text}`} size="xs" />
        </li>
      ))}
    </ul>
  )
}
