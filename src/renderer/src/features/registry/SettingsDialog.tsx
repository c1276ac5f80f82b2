import { useId, useState, type FormEvent } from 'react'
import { Button } from '../../components/Button'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { useSettings } from '../../store/settings'
import { notify } from '../../store/notices'
import type { Settings } from '@shared/model/registry'

/** Port, bind address, data folder, start on launch, how the window pushes and pulls. Saved at once; a running registry restarts. */
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
  const [transferPath, setTransferPath] = useState<Settings['transferPath']>(settings?.transferPath ?? 'auto')
  const [layerEncoding, setLayerEncoding] = useState<Settings['layerEncoding']>(settings?.layerEncoding ?? 'auto')
  const [manifestFormat, setManifestFormat] = useState<Settings['manifestFormat']>(settings?.manifestFormat ?? 'docker')
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
    if (transferPath !== settings.transferPath) patch.transferPath = transferPath
    if (layerEncoding !== settings.layerEncoding) patch.layerEncoding = layerEncoding
    if (manifestFormat !== settings.manifestFormat) patch.manifestFormat = manifestFormat
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
      <fieldset className="space-y-2 border-t border-line pt-3">
        <legend className="text-[12px] font-medium text-muted">Push and pull from the window</legend>
        <Choice<Settings['transferPath']> label="Path" value={transferPath} onChange={setTransferPath} options={TRANSFER_PATHS} />
        {transferPath !== 'engine' ? (
          <div className="grid grid-cols-2 gap-3">
            <Choice<Settings['layerEncoding']> label="Layers pushed by export" value={layerEncoding} onChange={setLayerEncoding} options={ENCODINGS} />
            <Choice<Settings['manifestFormat']> label="Manifest pushed by export" value={manifestFormat} onChange={setManifestFormat} options={FORMATS} />
          </div>
        ) : null}
      </fieldset>
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

const TRANSFER_PATHS: [Settings['transferPath'], string][] = [
  ['auto', 'Automatic: the engine’s own push and pull when it reaches the registry, else export and load'],
  ['engine', 'The engine’s push and pull (exactly docker push’s digests)'],
  ['export', 'Export and load through the engine’s API (works when Docker runs in a VM)']
]
const ENCODINGS: [Settings['layerEncoding'], string][] = [
  ['auto', 'Automatic: uncompressed on this machine, gzip when shared'],
  ['uncompressed', 'Uncompressed (fastest, more bytes)'],
  ['gzip', 'gzip (as docker push stores them)']
]
const FORMATS: [Settings['manifestFormat'], string][] = [
  ['docker', 'Docker schema 2'],
  ['oci', 'OCI image manifest']
]

function Choice<T extends string>({ label, value, onChange, options }: { label: string; value: T; onChange(v: T): void; options: [T, string][] }) {
  const id = useId()
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-[12px] font-medium text-muted">
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)} className="h-8 min-w-0 rounded-md border border-line-strong bg-field px-1 text-[12px]">
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  )
}
