import { ShieldCheck } from 'lucide-react'
import type { ManifestDetail } from '@shared/model/catalog'
import { formatBytes, formatPlatform, shortDigest } from '../../../lib/format'
import { useCatalog } from '../../../store/catalog'

/** An index's platforms (each opens its own manifest) and its build attestations. */
export function PlatformsTab({ data }: { data: ManifestDetail }) {
  const openReference = useCatalog((s) => s.openReference)
  const detail = useCatalog((s) => s.detail)
  const platforms = data.children.filter((c) => !c.attestation)
  const attestations = data.children.filter((c) => c.attestation)
  return (
    <div className="px-3 py-2">
      <ul className="space-y-1" aria-label="Platforms">
        {platforms.map((c, i) => (
          <li key={`${c.digest}-${i}`}>
            <button
              type="button"
              onClick={() => openReference(c.digest, detail?.reference ?? null)}
              className="grid w-full grid-cols-[150px_minmax(0,1fr)_80px] items-center gap-3 rounded-md border border-line px-3 py-2 text-left hover:bg-hover"
            >
              <span className="font-mono text-[12px] font-medium">{c.platform ? formatPlatform(c.platform) : 'no platform given'}</span>
              <code className="truncate text-[12px] text-muted" title={c.digest}>
                {shortDigest(c.digest)}
              </code>
              <span className="text-right text-[12px] tabular-nums" title={c.imageSize != null ? `${formatBytes(c.imageSize)}: manifest, config and layers` : 'The manifest of this platform is not stored here'}>
                {c.imageSize != null ? formatBytes(c.imageSize) : '—'}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {attestations.length > 0 ? (
        <>
          <h3 className="mt-4 mb-1 flex items-center gap-1.5 text-[11px] font-semibold tracking-wide text-muted uppercase">
            <ShieldCheck className="size-3.5" aria-hidden /> Build attestations
          </h3>
          <p className="mb-2 text-[12px] text-subtle">Provenance and SBOM records BuildKit attached to the platforms above; they are not images and do not run.</p>
          <ul className="space-y-1" aria-label="Build attestations">
            {attestations.map((c, i) => (
              <li key={`${c.digest}-${i}`} className="grid grid-cols-[150px_minmax(0,1fr)_80px] items-center gap-3 rounded-md border border-dashed border-line px-3 py-1.5 text-[12px]">
                <span className="text-muted">Build attestation</span>
                <code className="truncate text-muted" title={c.digest}>
                  {shortDigest(c.digest)}
                </code>
                <span className="text-right text-subtle tabular-nums">{formatBytes(c.imageSize ?? c.size)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  )
}
