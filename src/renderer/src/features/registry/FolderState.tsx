import { CircleAlert } from 'lucide-react'
import type { RegistryStatus } from '@shared/model/registry'
import { Badge } from '../../components/Badge'
import { formatBytes } from '../../lib/format'
import { useRegistry } from '../../store/registry'

/*
 * The data folder's two failure states while the registry serves, as the registry status reports
 * them: its disk full (pushes get 507) and the folder gone (every request gets 503). Shown in the
 * header as a badge with what to do in its title, and in the Storage view as a notice.
 */

const FULL_ADVICE = 'free space there (Collect garbage in the Storage view, or delete old tags) or move the data folder to a bigger disk, then push again'

export function diskFullText(disk: NonNullable<RegistryStatus['disk']>): string {
  return `The data folder's disk is full: ${formatBytes(disk.freeBytes)} free on ${disk.volume}, so pushes are refused; ${FULL_ADVICE}.`
}

/** Header badges: "Disk full" / "Disk low" / "Data folder gone", each with its advice as the title. */
export function FolderStateBadges({ status }: { status: RegistryStatus }) {
  if (status.error?.code === 'FOLDER_GONE')
    return (
      <Badge tone="danger" title={status.error.message}>
        <CircleAlert className="size-3" aria-hidden />
        Data folder gone
      </Badge>
    )
  const disk = status.disk
  if (disk?.level === 'full')
    return (
      <Badge tone="danger" title={diskFullText(disk)}>
        <CircleAlert className="size-3" aria-hidden />
        Disk full
      </Badge>
    )
  if (disk?.level === 'low')
    return (
      <Badge tone="warning" title={`Only ${formatBytes(disk.freeBytes)} left on ${disk.volume}: pushes fail once it is used up.`}>
        Disk low: {formatBytes(disk.freeBytes)} free
      </Badge>
    )
  return null
}

/** The Storage view's notice while the registry refuses pushes for lack of space. */
export function DiskFullNotice() {
  const disk = useRegistry((s) => s.status?.disk)
  if (disk?.level !== 'full') return null
  return (
    <div role="alert" aria-label="Disk full" className="flex items-start gap-2.5 rounded-lg border border-danger/40 bg-danger-soft px-3 py-2.5">
      <CircleAlert className="mt-0.5 size-4 shrink-0 text-danger" aria-hidden />
      <div className="min-w-0">
        <p className="font-medium text-danger">Disk full: pushes are refused</p>
        <p className="text-[12px]">
          {formatBytes(disk.freeBytes)} free on <code className="rounded bg-code px-1 break-all">{disk.volume}</code>; {FULL_ADVICE}.
        </p>
      </div>
    </div>
  )
}
