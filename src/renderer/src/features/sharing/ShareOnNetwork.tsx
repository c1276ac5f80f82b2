import { useState, type FormEvent } from 'react'
import { Lock, LockOpen } from 'lucide-react'
import type { Settings } from '@shared/model/registry'
import { Button } from '../../components/Button'
import { Card } from '../../components/Card'
import { Checkbox } from '../../components/Checkbox'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Outcome } from '../../components/Outcome'
import { Advice } from '../../components/Advice'
import { WarningList } from '../../components/WarningList'
import { Badge } from '../../components/Badge'
import { messageOf } from '../../lib/client'
import { cn } from '../../lib/cn'
import { notify } from '../../store/notices'
import { useRegistry } from '../../store/registry'
import { useSettings } from '../../store/settings'
import { useSharing } from '../../store/sharing'
import { addressChoices, isLoopbackHost } from './address-choices'

export const CLEAR_TEXT_WARNING =
  'Without TLS, account passwords and images cross the network in clear: anyone on it can read them. Every Docker engine that uses it needs it in insecure-registries. Keep TLS on unless this network is yours alone.'

/** Where the registry listens, and how it is served once shared: TLS, anonymous pulls, a certificate of one's own. */
export function ShareOnNetwork() {
  const settings = useSettings((s) => s.settings)
  if (!settings) return <Card id="sharing-network" title="Share on the network"><p className="text-muted">Loading the settings…</p></Card>
  // Remount when the saved settings change, so the form starts from them.
  return <ShareForm key={JSON.stringify([settings.host, settings.tls, settings.anonymousPull, settings.tlsCert, settings.tlsKey])} settings={settings} />
}

function ShareForm({ settings }: { settings: Settings }) {
  const update = useSettings((s) => s.update)
  const interfaces = useSharing((s) => s.interfaces) ?? []
  const status = useRegistry((s) => s.status)
  const [host, setHost] = useState(settings.host)
  const [tls, setTls] = useState(settings.tls !== 'off')
  const [anonymousPull, setAnonymousPull] = useState(settings.anonymousPull ?? false)
  const [cert, setCert] = useState(settings.tlsCert ?? '')
  const [key, setKey] = useState(settings.tlsKey ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const choices = addressChoices(interfaces, settings.host)
  const local = isLoopbackHost(host)
  const ownCertError = Boolean(cert.trim()) !== Boolean(key.trim()) ? 'Give both the certificate and its key, or neither (Berth’s CA then signs one).' : null

  const patch: Partial<Settings> = {}
  if (host !== settings.host) patch.host = host
  if (!local && host !== settings.shareHost) patch.shareHost = host
  if (tls !== (settings.tls !== 'off')) patch.tls = tls ? 'on' : 'off'
  if (anonymousPull !== (settings.anonymousPull ?? false)) patch.anonymousPull = anonymousPull
  if (cert.trim() !== (settings.tlsCert ?? '')) patch.tlsCert = cert.trim() || null
  if (key.trim() !== (settings.tlsKey ?? '')) patch.tlsKey = key.trim() || null
  const changed = Object.keys(patch).some((k) => k !== 'shareHost')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (ownCertError || !changed) return
    setBusy(true)
    setError(null)
    try {
      const next = await update(patch)
      notify({ kind: 'success', title: 'Sharing saved', message: isLoopbackHost(next.host) ? 'The registry listens on this machine only.' : `The registry restarts on ${next.host}.` })
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  const sharing = status?.sharing
  return (
    <Card id="sharing-network" title="Share on the network" actions={<SharedBadge />}>
      <form onSubmit={submit} className="flex flex-col gap-3">
        <fieldset className="flex flex-col gap-1.5">
          <legend className="mb-1 text-[12px] font-medium text-muted">Listen on</legend>
          {choices.map((c) => (
            <label key={c.host} className={cn('flex items-start gap-2 rounded-md border px-3 py-2', host === c.host ? 'border-accent-line bg-accent-soft' : 'border-line hover:bg-hover')}>
              <input type="radio" name="share-host" value={c.host} checked={host === c.host} onChange={() => setHost(c.host)} className="mt-0.5 size-4 shrink-0 accent-[var(--accent)]" />
              <span className="min-w-0">
                <span className="font-medium">{c.label}</span>
                <span className="block text-[12px] text-muted">{c.means}</span>
              </span>
            </label>
          ))}
        </fieldset>

        <fieldset disabled={local} className={cn('flex flex-col gap-2 border-t border-line pt-3', local && 'opacity-60')}>
          <legend className="sr-only">Once shared</legend>
          {local ? <p className="text-[12px] text-subtle">These apply once the registry is shared on the network.</p> : null}
          <Checkbox label="Serve HTTPS (TLS)" hint="With a certificate from Berth’s own CA, which other machines trust once (see below)." checked={tls} onChange={setTls} />
          {!tls ? (
            <Outcome tone="warning" title="Passwords would cross the network in clear">
              {CLEAR_TEXT_WARNING}
            </Outcome>
          ) : null}
          <Checkbox
            label="Allow anonymous pulls"
            hint="Anyone who reaches it may pull (curl, skopeo, podman); pushing and deleting still need an account. The docker CLI asks for a login anyway: give docker users a pull account."
            checked={anonymousPull}
            onChange={setAnonymousPull}
          />
          {tls ? (
            <div className="grid grid-cols-2 gap-3">
              <Field label="Your own certificate (PEM file)" placeholder="/etc/ssl/registry.crt" value={cert} onChange={(e) => setCert(e.target.value)} hint="Empty: Berth’s CA signs one" mono />
              <Field label="Its private key (PEM file)" placeholder="/etc/ssl/registry.key" value={key} onChange={(e) => setKey(e.target.value)} error={ownCertError} mono />
            </div>
          ) : null}
        </fieldset>

        <WarningList warnings={sharing?.warnings ?? []} label="Sharing warnings" />
        {error ? <InlineError title="Sharing not saved" message={<Advice text={error} />} /> : null}
        <div className="flex items-center justify-end gap-2">
          {changed ? <span className="text-[12px] text-subtle">The registry restarts to apply this.</span> : null}
          <Button type="submit" variant="primary" disabled={busy || !changed || !!ownCertError}>
            {busy ? 'Saving…' : 'Save'}
          </Button>
        </div>
      </form>
    </Card>
  )
}

/** How the registry is served right now. */
function SharedBadge() {
  const sharing = useRegistry((s) => s.status?.sharing)
  if (!sharing?.shared) return <Badge>This machine only</Badge>
  return sharing.scheme === 'https' ? (
    <Badge tone="success">
      <Lock className="size-3" aria-hidden /> Shared over HTTPS
    </Badge>
  ) : (
    <Badge tone="warning">
      <LockOpen className="size-3" aria-hidden /> Shared over plain HTTP
    </Badge>
  )
}
