import { Layers } from 'lucide-react'
import { layerCompression } from '@shared/layer-media'
import type { ManifestDetail } from '@shared/model/catalog'
import { CopyButton } from '../../../components/CopyButton'
import { EmptyState } from '../../../components/Panel'
import { formatBytes, mediaTypeLabel } from '../../../lib/format'

/** How a layer is kept, for people: a push by export may store layers uncompressed. */
const STORED = { gzip: 'gzip', zstd: 'zstd', uncompressed: 'uncompressed', other: '—' } as const

function storedAs(layers: ManifestDetail['layers']): string {
  const kinds = new Set(layers.map((l) => (layerCompression(l.mediaType) === 'uncompressed' ? 'uncompressed' : 'compressed')))
  return kinds.size === 1 ? [...kinds][0] : 'stored'
}

/** An image's layers, each with how it is stored and its share of the image. */
export function LayersTab({ data }: { data: ManifestDetail }) {
  const total = data.layers.reduce((n, l) => n + l.size, 0)
  if (data.layers.length === 0) return <EmptyState icon={<Layers className="size-6" />} title="No layers" />
  // Sized by content, as a <table> does; the media type takes what is left (cut short, with a title).
  // Below 600 px the Stored column goes: the media type's name says the same ("tar+gzip").
  return (
    <div className="@container px-3 py-2">
      <p className="mb-2 text-[12px] text-muted">
        {data.layers.length} {data.layers.length === 1 ? 'layer' : 'layers'}, {formatBytes(total)} {storedAs(data.layers)}
        {data.config ? ` · config ${formatBytes(data.config.size)} (${mediaTypeLabel(data.config.mediaType)})` : ''}
      </p>
      <table className="w-full border-collapse text-[12px] whitespace-nowrap" aria-label="Layers">
        <thead>
          <tr className="text-left text-[11px] tracking-wide text-subtle uppercase">
            <th className="py-1 pr-3 font-semibold">#</th>
            <th className="w-full max-w-0 truncate py-1 pr-3 font-semibold">Media type</th>
            <th className="hidden py-1 pr-3 font-semibold @min-[600px]:table-cell">Stored</th>
            <th className="py-1 pr-3 font-semibold">Digest</th>
            <th className="py-1 text-right font-semibold">Size</th>
            <th className="py-1 pl-3 font-semibold">Share</th>
          </tr>
        </thead>
        <tbody>
          {data.layers.map((l, i) => {
            const share = total > 0 ? (100 * l.size) / total : 0
            return (
              <tr key={`${l.digest}-${i}`} className="border-t border-line/70">
                <td className="py-1.5 pr-3 text-subtle tabular-nums">{i + 1}</td>
                <td className="w-full max-w-0 truncate py-1.5 pr-3" title={l.mediaType}>
                  {mediaTypeLabel(l.mediaType)}
                </td>
                <td className="hidden py-1.5 pr-3 text-muted @min-[600px]:table-cell">{STORED[layerCompression(l.mediaType) ?? 'other']}</td>
                <td className="py-1.5 pr-3">
                  <span className="inline-flex items-center gap-0.5">
                    <code className="text-muted" title={l.digest}>
                      {l.digest.replace(/^sha(256|512):/, '').slice(0, 12)}
                    </code>
                    <CopyButton text={l.digest} label={`Copy digest of layer ${i + 1}`} size="xs" />
                  </span>
                </td>
                <td className="py-1.5 text-right tabular-nums">{formatBytes(l.size)}</td>
                <td className="py-1.5 pl-3">
                  <div className="flex items-center gap-2">
                    <div
                      className="h-1.5 w-16 overflow-hidden rounded-full bg-raised"
                      role="meter"
                      aria-label={`Layer ${i + 1} share of the image`}
                      aria-valuenow={Math.round(share)}
                      aria-valuemin={0}
                      aria-valuemax={100}
                    >
                      <div className="h-full rounded-full bg-accent" style={{ width: `${Math.max(share, 0.5)}%` }} />
                    </div>
                    <span className="w-9 text-right text-[11px] text-subtle tabular-nums">{share < 1 ? '<1' : Math.round(share)}%</span>
                  </div>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
