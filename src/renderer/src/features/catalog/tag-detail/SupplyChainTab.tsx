import { useEffect, useState } from 'react'
import { FileCheck2, FileText, Fingerprint, Package } from 'lucide-react'
import type { ManifestDetail } from '@shared/model/catalog'
import type { Referrer, ReferrersResult } from '@shared/model/insight'
import { Badge } from '../../../components/Badge'
import { Button } from '../../../components/Button'
import { EmptyState, InlineError } from '../../../components/Panel'
import { Advice } from '../../../components/Advice'
import { Spinner } from '../../../components/Spinner'
import { call, messageOf } from '../../../lib/client'
import { formatBytes, formatDate, formatPlatform, formatRelative, shortDigest } from '../../../lib/format'
import { SbomPackages } from './SbomPackages'

/** The referrers of a manifest, refetched whenever the manifest's detail is (a catalog change). */
export function useReferrers(data: ManifestDetail): { result: ReferrersResult | null; error: string | null } {
  const [state, setState] = useState<{ result: ReferrersResult | null; error: string | null }>({ result: null, error: null })
  useEffect(() => {
    let live = true
    call('catalog.referrers', { repository: data.repository, reference: data.digest })
      .then((result) => live && setState({ result, error: null }))
      .catch((err) => live && setState((s) => ({ result: s.result, error: messageOf(err) })))
    return () => {
      live = false
    }
  }, [data])
  return state
}

const where = (r: Referrer) => [r.platform ? formatPlatform(r.platform) : null, r.source === 'tag' ? `tag ${r.tag}` : r.source === 'buildkit' ? 'BuildKit attestation' : 'OCI referrer'].filter(Boolean).join(' · ')

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-muted">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  )
}

function Signature({ r }: { r: Extract<Referrer, { kind: 'signature' }> }) {
  const s = r.signature
  return (
    <li aria-label={`Signature by ${s.signer ?? 'a key'}`} className="rounded-md border border-line p-3">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <Fingerprint className="size-4 text-muted" aria-hidden />
        <span className="font-medium">{s.signer ?? 'Signed with a key (no identity in it)'}</span>
        <Badge>{s.format}</Badge>
        <Badge tone="warning" title="Berth shows what the signature says; check it with cosign verify or notation verify">
          Not verified
        </Badge>
        {!s.matchesSubject ? <Badge tone="danger">Names another digest</Badge> : null}
        <span className="ml-auto text-[11px] text-subtle">{where(r)}</span>
      </div>
      <dl className="grid grid-cols-[110px_minmax(0,1fr)] gap-x-3 gap-y-1 text-[12px]">
        <Row label="Issuer">{s.issuer ?? '—'}</Row>
        <Row label="Signed">{s.signedAt ? <span title={formatDate(s.signedAt)}>{formatRelative(s.signedAt)}</span> : '—'}</Row>
        <Row label="Signed digest">
          <code title={s.signedDigest ?? ''}>{s.signedDigest ? shortDigest(s.signedDigest, 16) : '—'}</code>
        </Row>
        {s.reference ? <Row label="Reference">{s.reference}</Row> : null}
      </dl>
      {s.payload ? (
        <details className="mt-2 text-[12px]">
          <summary className="cursor-default rounded text-muted hover:text-fg focus-visible:ring-2 focus-visible:ring-accent/50 focus-visible:outline-none">Payload</summary>
          <pre className="mt-1 max-h-64 overflow-auto rounded bg-code p-2 text-[11px]">{s.payload}</pre>
        </details>
      ) : null}
    </li>
  )
}

function Sbom({ r, repository }: { r: Extract<Referrer, { kind: 'sbom' }>; repository: string }) {
  const [open, setOpen] = useState(false)
  const s = r.sbom
  return (
    <li aria-label={`SBOM ${s.format} ${s.name ?? ''}`.trim()} className="rounded-md border border-line p-3">
      <div className="flex flex-wrap items-center gap-2">
        <Package className="size-4 text-muted" aria-hidden />
        <span className="font-medium">{s.format === 'spdx' ? 'SPDX' : 'CycloneDX'} {s.specVersion ?? ''}</span>
        <span className="text-muted">{s.name}</span>
        <span className="text-[12px] text-muted tabular-nums">
          {s.packages !== null ? `${s.packages.toLocaleString()} packages` : ''} · {formatBytes(s.bytes)}
          {s.tool ? ` · ${s.tool}` : ''}
        </span>
        <span className="ml-auto text-[11px] text-subtle">{where(r)}</span>
        <Button size="sm" aria-expanded={open} onClick={() => setOpen(!open)} disabled={s.packages === null}>
          {open ? 'Hide packages' : 'Packages'}
        </Button>
      </div>
      {r.problem ? <p className="mt-1 text-[12px] text-warning">{r.problem}</p> : null}
      {open ? <SbomPackages repository={repository} referrer={r.digest} blob={s.blob} /> : null}
    </li>
  )
}

function Provenance({ r }: { r: Extract<Referrer, { kind: 'provenance' }> }) {
  const p = r.provenance
  return (
    <li aria-label="Provenance" className="rounded-md border border-line p-3">
      <div className="mb-2 flex items-center gap-2">
        <FileCheck2 className="size-4 text-muted" aria-hidden />
        <span className="font-medium">Provenance</span>
        <Badge title={p.predicateType}>{/v1$/.test(p.predicateType) ? 'SLSA v1' : /v0\.2$/.test(p.predicateType) ? 'SLSA v0.2' : 'SLSA'}</Badge>
        <span className="ml-auto text-[11px] text-subtle">{where(r)}</span>
      </div>
      <dl className="grid grid-cols-[110px_minmax(0,1fr)] gap-x-3 gap-y-1 text-[12px]">
        <Row label="Builder">{p.builder ?? '—'}</Row>
        <Row label="Source">{p.source ?? '—'}</Row>
        {p.revision ? <Row label="Revision">{<code>{p.revision}</code>}</Row> : null}
        <Row label="Built">{p.startedOn ? `${formatDate(p.startedOn)}${p.finishedOn ? ` – ${formatDate(p.finishedOn)}` : ''}` : '—'}</Row>
        {p.materials.length ? <Row label="Materials">{p.materials.join(', ')}</Row> : null}
      </dl>
    </li>
  )
}

/** Signatures, SBOMs and provenance stored about this image, decoded in the main process; none is verified. */
export function SupplyChainTab({ data }: { data: ManifestDetail }) {
  const { result, error } = useReferrers(data)
  if (error && !result) return <InlineError className="m-3" title="Could not read what is stored about this image" message={<Advice text={error} />} />
  if (!result)
    return (
      <div role="status" className="flex items-center gap-2 p-4 text-muted">
        <Spinner /> Looking for signatures, SBOMs and attestations…
      </div>
    )
  if (result.items.length === 0)
    return (
      <EmptyState icon={<FileText className="size-6" />} title="No signatures, SBOMs or attestations">
        cosign, notation, syft/trivy (as OCI artifacts) and BuildKit (<code className="rounded bg-code px-1">--provenance</code>, <code className="rounded bg-code px-1">--sbom</code>) store them beside the image.
      </EmptyState>
    )
  const of = <K extends Referrer['kind']>(k: K) => result.items.filter((i): i is Extract<Referrer, { kind: K }> => i.kind === k)
  return (
    <div className="flex flex-col gap-3 p-3">
      {of('signature').length ? (
        <section aria-label="Signatures">
          <h3 className="mb-1 text-[11px] font-semibold tracking-wide text-muted uppercase">Signatures</h3>
          <ul className="flex flex-col gap-2">{of('signature').map((r, i) => <Signature key={`${r.digest}-${i}`} r={r} />)}</ul>
        </section>
      ) : null}
      {of('sbom').length ? (
        <section aria-label="SBOMs">
          <h3 className="mb-1 text-[11px] font-semibold tracking-wide text-muted uppercase">SBOMs</h3>
          <ul className="flex flex-col gap-2">{of('sbom').map((r, i) => <Sbom key={`${r.digest}-${r.sbom.blob}-${i}`} r={r} repository={data.repository} />)}</ul>
        </section>
      ) : null}
      {of('provenance').length ? (
        <section aria-label="Provenance">
          <h3 className="mb-1 text-[11px] font-semibold tracking-wide text-muted uppercase">Provenance</h3>
          <ul className="flex flex-col gap-2">{of('provenance').map((r, i) => <Provenance key={`${r.digest}-${i}`} r={r} />)}</ul>
        </section>
      ) : null}
      {of('other').length ? (
        <section aria-label="Other attestations">
          <h3 className="mb-1 text-[11px] font-semibold tracking-wide text-muted uppercase">Other</h3>
          <ul className="flex flex-col gap-1 text-[12px]">
            {of('other').map((r, i) => (
              <li key={`${r.digest}-${i}`}>
                {r.description} <span className="text-subtle">· {where(r)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  )
}
