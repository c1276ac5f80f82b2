import { useState, type FormEvent } from 'react'
import { Plus, X } from 'lucide-react'
import type { ManifestDetail } from '@shared/model/catalog'
import { Button, IconButton } from '../../components/Button'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { useImages } from '../../store/images'
import { notify } from '../../store/notices'

interface PortRow {
  host: string
  container: string
  protocol: 'tcp' | 'udp'
}

/** A host port anyone may bind: ports below 1024 need administrator rights, so EXPOSE 80 proposes 8080 (443 → 8443). */
export function unprivilegedHostPort(container: number): number {
  return container < 1024 ? 8000 + container : container
}

function portsFrom(data: ManifestDetail): PortRow[] {
  return (data.image?.exposedPorts ?? []).map((p) => {
    const [port, proto] = p.split('/')
    return { host: String(unprivilegedHostPort(Number(port))), container: port, protocol: proto === 'udp' ? 'udp' : 'tcp' }
  })
}

interface Started {
  containerId: string
  name: string
  command: string
  urls: string[]
}

/** What to do about Docker's usual refusals, when its message does not say. */
function withRunHint(message: string): string {
  if (/network \S+ not found/i.test(message)) return `${message}. Leave Network empty for Docker’s default, or pick one that \`docker network ls\` lists.`
  return message
}

const validPort = (v: string) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535

/** Runs a container from this image (docker run -d -p 127.0.0.1:host:container), pulling it first if needed. */
export function RunDialog({ open, onOpenChange, data, reference }: { open: boolean; onOpenChange(open: boolean): void; data: ManifestDetail; reference: string }) {
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Run a container" description="Docker pulls the image from this registry if it does not have it, then starts a container in the background." className="w-[min(92vw,560px)]">
      {open ? <RunForm data={data} reference={reference} onDone={() => onOpenChange(false)} /> : null}
    </Modal>
  )
}

function RunForm({ data, reference, onDone }: { data: ManifestDetail; reference: string; onDone(): void }) {
  const run = useImages((s) => s.run)
  const [ports, setPorts] = useState<PortRow[]>(() => portsFrom(data))
  const [name, setName] = useState('')
  const [network, setNetwork] = useState('')
  // Published ports stay on this machine unless the person says otherwise (Docker's default is every interface).
  const [reachable, setReachable] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [started, setStarted] = useState<Started | null>(null)
  const nameError = name && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name) ? 'A container name is letters, digits, "_", "." and "-".' : null
  const portsOk = ports.every((p) => validPort(p.host) && validPort(p.container))

  const setPort = (i: number, patch: Partial<PortRow>) => setPorts((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (nameError || !portsOk) return
    setBusy(true)
    setError(null)
    try {
      const out = await run({
        repository: data.repository,
        reference,
        ports: ports.map((p) => ({ host: Number(p.host), container: Number(p.container), protocol: p.protocol, hostIp: reachable ? '0.0.0.0' : '127.0.0.1' })),
        ...(name ? { name } : {}),
        ...(network.trim() ? { network: network.trim() } : {})
      })
      notify({ kind: 'success', title: `Started container ${out.name}`, message: `\`${out.command}\`` })
      setStarted({ ...out, urls: ports.filter((p) => p.protocol === 'tcp').map((p) => `http://127.0.0.1:${p.host}/`) })
      setBusy(false)
    } catch (err) {
      setError(withRunHint(messageOf(err)))
      setBusy(false)
    }
  }

  if (started) return <StartedContainer started={started} onDone={onDone} />

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <fieldset>
        <legend className="mb-1 text-[12px] font-medium text-muted">Ports (host → container)</legend>
        {ports.length === 0 ? <p className="mb-2 text-[12px] text-subtle">The image exposes no port. Add one if it listens anyway.</p> : null}
        <ul className="space-y-1.5">
          {ports.map((p, i) => (
            <li key={i} className="flex items-center gap-2">
              <input
                aria-label={`Host port ${i + 1}`}
                inputMode="numeric"
                value={p.host}
                onChange={(e) => setPort(i, { host: e.target.value.trim() })}
                aria-invalid={!validPort(p.host) || undefined}
                className="h-8 w-24 rounded-md border border-line-strong bg-field px-2 font-mono text-[12px] outline-none focus:border-accent aria-[invalid]:border-danger"
              />
              <span className="text-subtle" aria-hidden>
                →
              </span>
              <input
                aria-label={`Container port ${i + 1}`}
                inputMode="numeric"
                value={p.container}
                onChange={(e) => setPort(i, { container: e.target.value.trim() })}
                aria-invalid={!validPort(p.container) || undefined}
                className="h-8 w-24 rounded-md border border-line-strong bg-field px-2 font-mono text-[12px] outline-none focus:border-accent aria-[invalid]:border-danger"
              />
              <select
                aria-label={`Protocol ${i + 1}`}
                value={p.protocol}
                onChange={(e) => setPort(i, { protocol: e.target.value as 'tcp' | 'udp' })}
                className="h-8 rounded-md border border-line-strong bg-field px-1 text-[12px]"
              >
                <option value="tcp">tcp</option>
                <option value="udp">udp</option>
              </select>
              <IconButton label={`Remove port ${i + 1}`} onClick={() => setPorts((rows) => rows.filter((_, j) => j !== i))}>
                <X className="size-3.5" aria-hidden />
              </IconButton>
            </li>
          ))}
        </ul>
        {!portsOk ? <p className="mt-1 text-[12px] text-danger">A port is a number from 1 to 65535.</p> : null}
        <Button size="sm" variant="ghost" className="mt-1.5" onClick={() => setPorts((rows) => [...rows, { host: '', container: '', protocol: 'tcp' }])} icon={<Plus className="size-3.5" aria-hidden />}>
          Add port
        </Button>
        <label className="mt-2 flex items-start gap-2">
          <input type="checkbox" checked={reachable} onChange={(e) => setReachable(e.target.checked)} className="mt-0.5 size-4 shrink-0 accent-[var(--accent)]" />
          <span>
            Reachable from other machines
            <span className="block text-[12px] text-subtle">{reachable ? 'Ports are published on every network interface (0.0.0.0).' : 'Off: only this machine reaches the ports (127.0.0.1).'}</span>
          </span>
        </label>
      </fieldset>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Container name (optional)" value={name} onChange={(e) => setName(e.target.value.trim())} error={nameError} mono />
        <Field label="Network (optional)" value={network} onChange={(e) => setNetwork(e.target.value)} placeholder="Docker’s default" mono />
      </div>
      {error ? <InlineError title="The container did not start" message={<Advice text={error} />} /> : null}
      <div className="flex justify-end gap-2 pt-1">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy || !!nameError || !portsOk}>
          {busy ? 'Starting…' : 'Run'}
        </Button>
      </div>
    </form>
  )
}

/** After Run: which container it is, and where it answers. */
function StartedContainer({ started, onDone }: { started: Started; onDone(): void }) {
  return (
    <section aria-label="Container started" className="space-y-3">
      <p>
        Container <strong className="font-semibold">{started.name}</strong> runs{' '}
        <code className="text-[12px] text-muted" title={started.containerId}>
          {started.containerId.slice(0, 12)}
        </code>
        .
      </p>
      {started.urls.length > 0 ? (
        <ul aria-label="Where it answers" className="space-y-1">
          {started.urls.map((url) => (
            <li key={url}>
              <a href={url} target="_blank" rel="noreferrer" className="font-mono text-[12px] text-accent underline">
                {url}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="text-[12px] text-muted">
        In a terminal: <code>docker logs -f {started.name}</code> · <code>docker stop {started.name}</code>
      </p>
      <div className="flex justify-end">
        <Button variant="primary" onClick={onDone}>
          Done
        </Button>
      </div>
    </section>
  )
}
