import { Download, ShieldCheck } from 'lucide-react'
import { Card } from '../../components/Card'
import { CopyButton } from '../../components/CopyButton'
import { EmptyState } from '../../components/Panel'
import { formatDate } from '../../lib/format'
import { useRegistry } from '../../store/registry'
import { useSharing } from '../../store/sharing'

export const CA_FILE = 'berth-ca.crt'

/** Berth's CA, what another machine trusts: as a file, on the clipboard, and its fingerprint to compare. */
export function CaCard() {
  const info = useSharing((s) => s.info)
  const ca = useSharing((s) => s.ca)
  const certificate = useRegistry((s) => s.status?.sharing?.certificate ?? null)
  const pem = ca?.pem ?? info?.caPem ?? null
  // A data: address holds the file itself: nothing to create or revoke as the view comes and goes.
  const href = pem ? `data:application/x-pem-file;charset=utf-8,${encodeURIComponent(pem)}` : undefined

  return (
    <Card id="sharing-ca" title="Certificate authority">
      {!pem ? (
        <EmptyState icon={<ShieldCheck className="size-6" />} title={certificate?.source === 'custom' ? 'Your own certificate' : 'No CA to hand out'}>
          {certificate?.source === 'custom'
            ? 'The registry serves the certificate you gave: other machines trust the CA that signed it.'
            : info?.shared
              ? 'The registry is served over plain HTTP: there is no certificate to trust.'
              : 'Once the registry is shared over HTTPS, other machines trust Berth’s CA, made for you on first share.'}
        </EmptyState>
      ) : (
        <>
          <p className="text-[12px] text-muted">Other machines trust this CA once; the registry’s certificate is signed by it and renewed for you. It is public: only its key, which stays here, is secret.</p>
          {ca ? (
            <dl className="grid grid-cols-[96px_minmax(0,1fr)] gap-x-3 gap-y-1 text-[12px]">
              <dt className="text-muted">Fingerprint</dt>
              <dd className="flex min-w-0 items-center gap-0.5">
                <code className="truncate" title={ca.fingerprint}>
                  {ca.fingerprint}
                </code>
                <CopyButton text={ca.fingerprint} label="Copy the CA fingerprint" size="xs" />
              </dd>
              <dt className="text-muted">File</dt>
              <dd className="min-w-0">
                <code className="block truncate" title={ca.path}>
                  {ca.path}
                </code>
              </dd>
            </dl>
          ) : null}
          <div className="flex flex-wrap items-center gap-2">
            <a
              href={href}
              download={CA_FILE}
              className="inline-flex h-7 items-center gap-1.5 rounded-md border border-transparent bg-accent px-2.5 text-[12px] font-medium text-accent-fg hover:bg-accent-hover"
            >
              <Download className="size-3.5" aria-hidden />
              Download {CA_FILE}
            </a>
            <CopyToClipboard pem={pem} />
          </div>
          <details className="text-[12px]">
            <summary className="cursor-default text-muted hover:text-fg">Show the PEM</summary>
            <pre className="mt-2 max-h-48 overflow-auto rounded-md bg-code p-2 text-[11px] leading-snug">{pem}</pre>
          </details>
        </>
      )}
      {certificate ? (
        <div className="border-t border-line pt-3 text-[12px]">
          <h3 className="mb-1 text-[11px] font-semibold tracking-wide text-muted uppercase">Server certificate</h3>
          <p className="text-muted">
            {certificate.source === 'custom' ? 'Yours' : 'Signed by Berth’s CA'}, valid until {formatDate(certificate.notAfter)}, for:
          </p>
          <p className="mt-1 flex flex-wrap gap-1">
            {certificate.names.map((n) => (
              <code key={n} className="rounded bg-code px-1">
                {n}
              </code>
            ))}
          </p>
        </div>
      ) : null}
    </Card>
  )
}

function CopyToClipboard({ pem }: { pem: string }) {
  return (
    <span className="inline-flex items-center gap-1 text-[12px] text-muted">
      <CopyButton text={pem} label="Copy the CA certificate (PEM)" variant="secondary" />
      Copy the PEM
    </span>
  )
}
