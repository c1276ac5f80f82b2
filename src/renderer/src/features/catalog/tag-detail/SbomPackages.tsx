import { useEffect, useState } from 'react'
import type { SbomPage } from '@shared/model/insight'
import { Button } from '../../../components/Button'
import { SearchField } from '../../../components/SearchField'
import { Spinner } from '../../../components/Spinner'
import { call, messageOf } from '../../../lib/client'

const PAGE = 100

/** An SBOM's packages, a page at a time from the main process (which streams the document), searchable by name, version, licence or purl. */
export function SbomPackages({ repository, referrer, blob }: { repository: string; referrer: string; blob: string }) {
  const [filter, setFilter] = useState('')
  const [offset, setOffset] = useState(0)
  const [page, setPage] = useState<SbomPage | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)

  useEffect(() => {
    let live = true
    const timer = setTimeout(() => {
      setLoading(true)
      call('catalog.sbom', { repository, referrer, blob, filter: filter || undefined, offset, limit: PAGE })
        .then((p) => live && (setPage(p), setError(null)))
        .catch((err) => live && setError(messageOf(err)))
        .finally(() => live && setLoading(false))
    }, filter ? 150 : 0)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [repository, referrer, blob, filter, offset])

  return (
    <div className="mt-2 flex flex-col gap-2" aria-label="SBOM packages" role="region">
      <div className="flex items-center gap-2">
        <div className="w-[260px]">
          <SearchField
            size="sm"
            label="Search packages"
            value={filter}
            onChange={(v) => {
              setFilter(v)
              setOffset(0)
            }}
          />
        </div>
        {page ? (
          <span className="text-[12px] text-muted tabular-nums">
            {filter ? `${page.matching.toLocaleString()} of ${page.total.toLocaleString()} packages` : `${page.total.toLocaleString()} packages`}
            {page.truncated ? ' (the document holds more; only these were read)' : ''}
          </span>
        ) : null}
        {loading ? <Spinner className="size-3.5" label="Loading packages" /> : null}
      </div>
      {error ? <p className="text-[12px] text-danger">{error}</p> : null}
      {page && page.licenses.length > 0 ? (
        <p className="text-[11px] text-muted">
          Licences:{' '}
          {page.licenses.slice(0, 8).map((l, i) => (
            <span key={l.license}>
              {i > 0 ? ', ' : ''}
              <button type="button" className="rounded underline decoration-dotted hover:text-fg focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none" onClick={() => (setFilter(l.license), setOffset(0))}>
                {l.license}
              </button>{' '}
              ({l.count.toLocaleString()})
            </span>
          ))}
        </p>
      ) : null}
      {page ? (
        <table className="w-full table-fixed text-[12px]">
          <thead className="text-left text-[11px] font-semibold tracking-wide text-muted uppercase">
            <tr>
              <th className="w-[34%] py-1">Package</th>
              <th className="w-[18%] py-1">Version</th>
              <th className="w-[20%] py-1">Licence</th>
              <th className="py-1">purl</th>
            </tr>
          </thead>
          <tbody>
            {page.packages.map((p, i) => (
              <tr key={`${p.name}-${p.version}-${i}`} className="border-t border-line/60">
                <td className="truncate py-1 font-mono" title={p.supplier ? `${p.name} (${p.supplier})` : p.name}>
                  {p.name}
                </td>
                <td className="truncate py-1 font-mono" title={p.version ?? ''}>
                  {p.version ?? '—'}
                </td>
                <td className="truncate py-1" title={p.licenses.join(', ') || 'No licence stated'}>
                  {p.licenses.join(', ') || <span className="text-subtle">none stated</span>}
                </td>
                <td className="truncate py-1 font-mono text-muted" title={p.purl ?? ''}>
                  {p.purl ?? '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {page && page.matching > PAGE ? (
        <div className="flex items-center gap-2 text-[12px] text-muted">
          <Button size="sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </Button>
          <span className="tabular-nums">
            {(offset + 1).toLocaleString()}–{Math.min(offset + PAGE, page.matching).toLocaleString()} of {page.matching.toLocaleString()}
          </span>
          <Button size="sm" disabled={offset + PAGE >= page.matching} onClick={() => setOffset(offset + PAGE)}>
            Next
          </Button>
        </div>
      ) : null}
    </div>
  )
}
