import { useState, type FormEvent } from 'react'
import { Button } from '../../components/Button'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { useSettings } from '../../store/settings'
import { notify } from '../../store/notices'
import type { Settings } from '@shared/model/registry'

/** Port, bind address, data folder, start on launch. Saved at once; a running registry restarts. */
export function SettingsDialog({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Registry settings" description="Changes are saved at once; a running registry restarts on its new address or folder.">
      {open ? <SettingsForm onDone={() => onOpenChange(false)} /> : null}
    </Modal>
  )
}

function SettingsForm({ onDone }: { onDone(): void }) {
  const settings = useSettings((s) => s.settings)
  const update = useSettings((s) => s.update)
  const [port, setPort] = useState(String(settings?.port ?? ''))
  const [host, setHost] = useState(settings?.host ?? '')
  const [dataDir, setDataDir] = useState(settings?.dataDir ?? '')
  const [startOnLaunch, setStartOnLaunch] = useState(settings?.startOnLaunch ?? true)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  if (!settings) return <p className="text-muted">Loading settings…</p>

  const portNumber = Number(port)
  const portError = /^\d+$/.test(port) && portNumber >= 1 && portNumber <= 65535 ? null : 'A port is a number from 1 to 65535, e.g. 5000.'
  const hostError = host.trim() ? null : 'Use 127.0.0.1 to keep the registry on this machine, or 0.0.0.0 to share it.'
  const dirError = dataDir.trim() ? null : 'Choose a folder for the images.'
  const portUnchanged = portNumber === settings.port || (settings.port === 0 && port === '0')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const patch: Partial<Settings> = {}
    if (!portUnchanged) {
      if (portError) return
      patch.port = portNumber
    }
    if (host !== settings.host) {
      if (hostError) return
      patch.host = host.trim()
    }
    if (dataDir !== settings.dataDir) {
      if (dirError) return
      patch.dataDir = dataDir.trim()
    }
    if (startOnLaunch !== settings.startOnLaunch) patch.startOnLaunch = startOnLaunch
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
    <form onSubmit={submit} className="space-y-3">
      <div className="grid grid-cols-[120px_1fr] gap-3">
        <Field
          label="Port"
          inputMode="numeric"
          value={port}
          onChange={(e) => setPort(e.target.value.trim())}
          error={portUnchanged ? null : portError}
          hint={settings.port === 0 ? 'any free port' : undefined}
          mono
        />
        <Field label="Bind address" value={host} onChange={(e) => setHost(e.target.value)} error={host !== settings.host ? hostError : null} hint="127.0.0.1: this machine only" mono />
      </div>
      <Field label="Data folder" value={dataDir} onChange={(e) => setDataDir(e.target.value)} error={dataDir !== settings.dataDir ? dirError : null} hint="Distribution (registry:2) layout" mono />
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={startOnLaunch} onChange={(e) => setStartOnLaunch(e.target.checked)} className="size-4 accent-[var(--accent)]" />
        Start the registry when Berth opens
      </label>
      {error ? <InlineError title="Settings not saved" message={<Advice text={error} />} /> : null}
      <div className="flex justify-end gap-2 pt-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </Button>
      </div>
    </form>
  )
}
