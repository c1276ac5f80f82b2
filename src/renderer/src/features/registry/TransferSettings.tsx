import { useId } from 'react'
import type { Settings } from '@shared/model/registry'
import { current, type SettingsSectionProps } from './settings-section'

/** How the window pushes and pulls: the engine's own push and pull, or export and load through its API. */
export function TransferSettings(props: SettingsSectionProps) {
  const transferPath = current(props, 'transferPath')
  const set = <K extends 'transferPath' | 'layerEncoding' | 'manifestFormat'>(key: K, value: Settings[K]) => props.change({ [key]: value })
  return (
    <fieldset className="min-w-0 space-y-2 border-t border-line pt-3">
      <legend className="text-[12px] font-medium text-muted">Push and pull from the window</legend>
      <Choice<Settings['transferPath']> label="Path" value={transferPath} onChange={(v) => set('transferPath', v)} options={TRANSFER_PATHS} />
      {transferPath !== 'engine' ? (
        <div className="grid grid-cols-2 gap-3">
          <Choice<Settings['layerEncoding']> label="Layers pushed by export" value={current(props, 'layerEncoding')} onChange={(v) => set('layerEncoding', v)} options={ENCODINGS} />
          <Choice<Settings['manifestFormat']> label="Manifest pushed by export" value={current(props, 'manifestFormat')} onChange={(v) => set('manifestFormat', v)} options={FORMATS} />
        </div>
      ) : null}
    </fieldset>
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
    <div className="flex min-w-0 flex-col gap-1">
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
