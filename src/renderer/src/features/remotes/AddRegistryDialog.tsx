import { useState, type FormEvent } from 'react'
import type { RemoteTest } from '@shared/model/remote'
import { RegistryAddress } from '@shared/model/remote'
import { Button } from '../../components/Button'
import { Checkbox } from '../../components/Checkbox'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { messageOf } from '../../lib/client'
import { notify } from '../../store/notices'
import { useRemotes } from '../../store/remotes'
import { TestResult } from './test-result'

/** Adds a registry by address: tried first (remote.test), saved when it answers — or anyway, once its problem is read. */
export function AddRegistryDialog({ onClose }: { onClose(): void }) {
  const tryAddress = useRemotes((s) => s.tryAddress)
  const add = useRemotes((s) => s.add)
  const [address, setAddress] = useState('')
  const [tlsVerify, setTlsVerify] = useState(true)
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [result, setResult] = useState<RemoteTest | null>(null)
  const [busy, setBusy] = useState<'test' | 'save' | null>(null)
  const [error, setError] = useState<string | null>(null)
  const check = RegistryAddress.safeParse(address)
  const addressError = address && !check.success ? check.error.issues[0]?.message ?? 'Not an address.' : null
  const draft = { address, tlsVerify, username: username || undefined, password: password || undefined }
  // A result is for what was typed when it was asked: a change asks again.
  const edit = <T,>(set: (v: T) => void) => (v: T) => {
    set(v)
    setResult(null)
  }

  const save = async () => {
    setBusy('save')
    try {
      const entry = await add(draft)
      notify({ kind: 'success', title: `${entry.address} added`, message: entry.credentials === 'saved' ? (entry.secretPersistence === 'keychain' ? 'Its password is kept by the system keychain.' : 'Its password is kept for this session only (berth serve).') : undefined })
      onClose()
    } catch (err) {
      setError(messageOf(err))
      setBusy(null)
    }
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!check.success) return
    setError(null)
    if (result && !result.reachable) return void save()
    setBusy('test')
    try {
      const tested = await tryAddress(draft)
      setResult(tested)
      if (tested.reachable && !tested.problem) return void (await save())
    } catch (err) {
      setError(messageOf(err))
    }
    setBusy(null)
  }

  const failed = result !== null && (!result.reachable || result.problem !== null)
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title="Add a registry" description="Distribution, Harbor, GHCR, Docker Hub, Quay… Berth tries it first and says why if it does not answer.">
      <form onSubmit={submit} className="flex flex-col gap-3">
        <Field label="Address" placeholder="registry.example:5000" autoFocus value={address} onChange={(e) => edit(setAddress)(e.target.value.trim())} error={addressError} hint="host or host:port; docker.io for Docker Hub" mono />
        <Checkbox label="Verify TLS" hint="Off: plain HTTP, or HTTPS with any certificate (as --tls-verify=false)." checked={tlsVerify} onChange={edit(setTlsVerify)} />
        <div className="grid grid-cols-2 gap-3">
          <Field label="User (optional)" value={username} onChange={(e) => edit(setUsername)(e.target.value.trim())} hint="Empty: docker login’s credentials" />
          <Field label="Password or token" type="password" autoComplete="off" value={password} onChange={(e) => edit(setPassword)(e.target.value)} disabled={!username} hint="Kept by the keychain, never shown" />
        </div>
        {result ? <TestResult result={result} /> : null}
        {error ? <InlineError title="Not added" message={<Advice text={error} />} /> : null}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant={failed ? 'secondary' : 'primary'} disabled={busy !== null || !check.success}>
            {busy === 'test' ? 'Trying…' : busy === 'save' ? 'Saving…' : failed ? 'Save anyway' : 'Try and add'}
          </Button>
        </div>
      </form>
    </Modal>
  )
}
