import type { ReactNode } from 'react'
import { TriangleAlert } from 'lucide-react'
import type { StorageUsage } from '@shared/model/storage'
import { ProgressBar } from '../../components/ProgressBar'
import { cn } from '../../lib/cn'
import { formatBytes, plural } from '../../lib/format'
import { DiskFullNotice } from '../registry/FolderState'

function Stat({ label, value, detail, tone }: { label: string; value: ReactNode; detail?: ReactNode; tone?: 'warning' }) {
  return (
    <div role="group" aria-label={label} className={cn('min-w-0 rounded-lg border bg-panel px-3 py-2.5', tone === 'warning' ? 'border-warning/50' : 'border-line')}>
      <div className="truncate text-[11px] font-medium text-muted">{label}</div>
      <div className={cn('truncate text-[18px] leading-7 font-semibold tabular-nums', tone === 'warning' && 'text-warning')}>{value}</div>
      {detail ? <div className="text-[11px] text-pretty text-subtle tabular-nums">{detail}</div> : null}
    </div>
  )
}

/** The numbers first: what is on disk, what a collection frees, how much room is left. */
export function UsageSummary({ usage }: { usage: StorageUsage }) {
  const { volume } = usage
  const usedPct = volume.totalBytes > 0 ? (100 * (volume.totalBytes - volume.freeBytes)) / volume.totalBytes : null
  return (
    <div className="space-y-3">
      <DiskFullNotice />
      {usage.lowSpace ? <LowSpace usage={usage} /> : null}
      <div className="grid grid-cols-3 gap-3 xl:grid-cols-6">
        <Stat label="Total on disk" value={formatBytes(usage.totalBytes)} detail="the registry tree in the data folder" />
        <Stat label="Blobs" value={formatBytes(usage.blobs.bytes)} detail={`${plural(usage.blobs.count, 'blob')}: layers, configs, manifests`} />
        <Stat label="Manifests" value={usage.manifests.count.toLocaleString()} detail={usage.manifests.untagged > 0 ? `${usage.manifests.untagged.toLocaleString()} untagged` : 'all tagged'} />
        <Stat
          label="Unreferenced blobs"
          value={formatBytes(usage.unreferenced.bytes)}
          detail={`${usage.unreferenced.count > 0 ? `${plural(usage.unreferenced.count, 'blob')}: a collection frees them` : 'nothing to collect'}${usage.keptForNow.count > 0 ? `; ${plural(usage.keptForNow.count, 'recent blob')} kept for now` : ''}`}
        />
        <Stat
          label="Uploads"
          value={formatBytes(usage.uploads.bytes)}
          detail={usage.uploads.count === 0 ? 'none in progress' : `${plural(usage.uploads.count, 'upload')}${usage.uploads.abandoned > 0 ? `, ${usage.uploads.abandoned.toLocaleString()} abandoned` : ''}`}
        />
        <div role="group" aria-label="Free space" className={cn('min-w-0 rounded-lg border bg-panel px-3 py-2.5', usage.lowSpace ? 'border-warning/50' : 'border-line')}>
          <div className="truncate text-[11px] font-medium text-muted">Free space</div>
          <div className={cn('truncate text-[18px] leading-7 font-semibold tabular-nums', usage.lowSpace && 'text-warning')}>{formatBytes(volume.freeBytes)}</div>
          <div className="flex items-center gap-2">
            <ProgressBar size="sm" value={usedPct} label="Volume used" tone={usage.lowSpace ? 'danger' : 'muted'} />
            <span className="shrink-0 text-[11px] text-subtle tabular-nums">of {formatBytes(volume.totalBytes)}</span>
          </div>
        </div>
      </div>
    </div>
  )
}

function LowSpace({ usage }: { usage: StorageUsage }) {
  return (
    <div role="alert" className="flex items-start gap-2.5 rounded-lg border border-warning/40 bg-warning-soft px-3 py-2.5">
      <TriangleAlert className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
      <div className="min-w-0">
        <p className="font-medium text-warning">Low disk space: {formatBytes(usage.volume.freeBytes)} free of {formatBytes(usage.volume.totalBytes)}</p>
        <p className="text-[12px]">
          Pushes fail when the volume that holds <code className="rounded bg-code px-1 break-all">{usage.dataDir}</code> fills up. Collect garbage
          {usage.unreferenced.bytes > 0 ? ` (frees ${formatBytes(usage.unreferenced.bytes)})` : ''}, delete old tags with a retention rule, or move the data folder to a bigger disk.
        </p>
      </div>
    </div>
  )
}
