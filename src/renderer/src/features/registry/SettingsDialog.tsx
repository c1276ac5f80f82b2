import { useState, type ComponentType, type FormEvent } from 'react'
import { AlertTriangle } from 'lucide-react'
import { bindAddressProblem, bindScope, describeBindAddress } from '@shared/bind-address'
import type { Settings } from '@shared/model/registry'
import { Button } from '../../components/Button'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { useSettings } from '../../store/settings'
import { notify } from '../../store/notices'
import type { SettingsDraft, SettingsSectionProps } from './settings-section'
import { TransferSettings } from './TransferSettings'

/**
 * The sections below the address and folder, in order. The Sharing section (TLS, anonymous pulls, own
 * certificate) is another component of this shape: add it here, nothing else in this file changes.
 */
const SECTIONS: ComponentType<SettingsSectionProps>[] = [TransferSettings]

/** Port, bind address, data folder, start on launch, and the sections. Nothing is saved before Save; a save that fails changes nothing. */
export function SettingsDialog({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Registry settings" description="A running registry restarts on its new address or folder when you save.">
      {open ? <SettingsForm onDone={() => onOpenChange(false)} /> : null}
    </Modal>
  )
}

export function portProblem(text: string, saved: number): string | null {
  if (saved === 0 && text === '0') return null
  const n = Number(text)
  return /^\d+$/.test(text) && n >= 1 && n <= 65535 ? null : 'A port is a number from 1 to 65535, e.g. 5000.'
}

function SettingsForm({ onDone }: { onDone(): void }) {
  const settings = useSettings((s) => s.settings)
  const update = useSettings((s) => s.update)
  const [port, setPort] = useState(String(settings?.port ?? ''))
  const [host, setHost] = useState(settings?.host ?? '')
  const [dataDir, setDataDir] = useState(settings?.dataDir ?? '')
  const [draft, setDraft] = useState<SettingsDraft>({})
  const [sectionProblems, setSectionProblems] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  if (!settings) return <p className="text-muted">Loading settings…</p>

  const problems = {
    port: portProblem(port, settings.port),
    host: bindAddressProblem(host),
    dataDir: dataDir.trim() ? null : 'Choose a folder for the images.'
  }
  const invalid = Object.values(problems).some(Boolean) || Object.keys(sectionProblems).length > 0

  // Only what differs from the saved settings is sent.
  const change = (patch: SettingsDraft) =>
    setDraft((d) => {
      const next = { ...d }
      for (const [k, v] of Object.entries(patch) as [keyof Settings, unknown][]) {
        if (JSON.stringify(v) === JSON.stringify(settings[k])) delete next[k]
        else Object.assign(next, { [k]: v })
      }
      return next
    })
  const section: SettingsSectionProps = {
    settings,
    draft,
    change,
    setProblem: (field, problem) =>
      setSectionProblems((p) => {
        if ((p[field] ?? null) === problem) return p
        const next = { ...p }
        if (problem) next[field] = problem
        else delete next[field]
        return next
      })
  }

  const patchOf = (): SettingsDraft => {
    const patch: SettingsDraft = { ...draft }
    if (Number(port) !== settings.port) patch.port = Number(port)
    if (host.trim() !== settings.host) patch.host = host.trim()
    if (dataDir.trim() !== settings.dataDir) patch.dataDir = dataDir.trim()
    return patch
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (invalid || busy) return
    const patch = patchOf()
    if (Object.keys(patch).length === 0) return onDone()
    setBusy(true)
    setError(null)
    try {
      await update(patch)
      notify({ kind: 'success', title: 'Settings saved' })
      onDone()
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <div className="grid grid-cols-[120px_1fr] gap-3">
        <Field
          label="Port"
          inputMode="numeric"
          value={port}
          onChange={(e) => setPort(e.target.value.trim())}
          error={problems.port}
          hint={settings.port === 0 && port === '0' ? 'any free port' : undefined}
          mono
        />
        <Field label="Bind address" value={host} onChange={(e) => setHost(e.target.value)} error={problems.host} hint={<AddressMeaning host={host} />} mono />
      </div>
      <Field label="Data folder" value={dataDir} onChange={(e) => setDataDir(e.target.value)} error={problems.dataDir} hint="Distribution (registry:2) layout" mono />
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={draft.startOnLaunch ?? settings.startOnLaunch}
          onChange={(e) => change({ startOnLaunch: e.target.checked })}
          className="size-4 accent-[var(--accent)]"
        />
        Start the registry when Berth opens
      </label>
      {SECTIONS.map((Section, i) => (
        <Section key={i} {...section} />
      ))}
      {error ? <InlineError title="Settings not saved" message={<Advice text={error} />} /> : null}
      <div className="flex items-center justify-end gap-2 pt-2">
        {invalid ? <p className="mr-auto text-[12px] text-muted">Correct the marked field to save.</p> : null}
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy || invalid}>
          {busy ? 'Saving…' : 'Save'}
        </Button>
      </div>
    </form>
  )
}

/** What the address means for who reaches the registry; sharing it is said plainly. */
function AddressMeaning({ host }: { host: string }) {
  if (bindScope(host) === 'loopback') return <>{describeBindAddress(host)}</>
  return (
    <span className="inline-flex items-start gap-1 text-warning">
      <AlertTriangle className="mt-0.5 size-3.5 shrink-0" aria-hidden />
      {describeBindAddress(host)}
    </span>
  )
}
