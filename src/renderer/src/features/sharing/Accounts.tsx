import { useState, type FormEvent } from 'react'
import { KeyRound, Trash2, UserPlus, Users } from 'lucide-react'
import { AccountName, Password, type Account, type Role } from '@shared/model/sharing'
import { Button, IconButton } from '../../components/Button'
import { Card } from '../../components/Card'
import { ConfirmDialog, Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { EmptyState, InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Badge } from '../../components/Badge'
import { Select } from '../../components/Select'
import { messageOf } from '../../lib/client'
import { notify } from '../../store/notices'
import { useRegistry } from '../../store/registry'
import { useSharing } from '../../store/sharing'

const ROLES: readonly (readonly [Role, string])[] = [
  ['pull', 'pull: reads'],
  ['push', 'push: also pushes and tags'],
  ['admin', 'admin: also deletes']
]

/** The first problem zod finds, as the sentence the schema gives. */
const problem = (result: { success: boolean; error?: { issues: { message: string }[] } }) => (result.success ? null : (result.error?.issues[0]?.message ?? 'Not valid.'))

/** Who may use the shared registry: list, add with a role, change a password, remove. Passwords go in and are never shown. */
export function Accounts() {
  const accounts = useSharing((s) => s.accounts)
  const error = useSharing((s) => s.accountsError)
  const shared = useRegistry((s) => s.status?.sharing?.shared ?? false)
  const [passwd, setPasswd] = useState<string | null>(null)
  const [removing, setRemoving] = useState<string | null>(null)

  return (
    <Card id="sharing-accounts" title="Accounts">
      <p className="text-[12px] text-muted">
        {shared
          ? 'Every request to the shared registry needs one of these accounts (docker login). Stored in <data>/berth/htpasswd, bcrypt, as Distribution reads it.'
          : 'Needed once the registry is shared: loopback asks for none. Stored in <data>/berth/htpasswd, bcrypt, as Distribution reads it.'}
      </p>
      {error ? <InlineError title="Could not read the accounts" message={<Advice text={error} />} /> : null}
      {accounts && accounts.length === 0 ? (
        <EmptyState icon={<Users className="size-6" />} title="No accounts yet">
          {shared ? 'Until you add one, every request is refused.' : 'Add one before sharing the registry.'}
        </EmptyState>
      ) : null}
      {accounts && accounts.length > 0 ? (
        <table aria-label="Accounts" className="w-full table-fixed border-collapse text-[12px]">
          <thead>
            <tr className="text-left text-[11px] tracking-wide text-subtle uppercase">
              <th className="py-1 font-semibold">Name</th>
              <th className="w-[88px] py-1 font-semibold">Role</th>
              <th className="w-[64px] py-1" />
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.name} aria-label={a.name} className="border-t border-line/70">
                <td className="truncate py-1.5 font-mono" title={a.name}>
                  {a.name}
                  <AccountNote account={a} />
                </td>
                <td className="py-1.5">
                  <Badge tone={a.role === 'admin' ? 'warning' : a.role === 'push' ? 'accent' : 'neutral'}>{a.role}</Badge>
                </td>
                <td className="py-1.5 text-right">
                  <IconButton label={`Change the password of ${a.name}…`} size="xs" onClick={() => setPasswd(a.name)}>
                    <KeyRound className="size-3.5" aria-hidden />
                  </IconButton>
                  <IconButton label={`Remove ${a.name}…`} size="xs" onClick={() => setRemoving(a.name)}>
                    <Trash2 className="size-3.5" aria-hidden />
                  </IconButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <AddAccount taken={(accounts ?? []).map((a) => a.name)} />
      {passwd ? <PasswordDialog name={passwd} onClose={() => setPasswd(null)} /> : null}
      {removing ? <RemoveDialog name={removing} onClose={() => setRemoving(null)} /> : null}
    </Card>
  )
}

function AccountNote({ account }: { account: Account }) {
  if (!account.usable) return <span className="block font-sans text-[11px] text-danger">not a bcrypt hash: refused until its password is set here</span>
  if (!account.roleAssigned) return <span className="block font-sans text-[11px] text-subtle">added with htpasswd: pull until given a role</span>
  return null
}

function AddAccount({ taken }: { taken: string[] }) {
  const add = useSharing((s) => s.addAccount)
  const [name, setName] = useState('')
  const [role, setRole] = useState<Role>('push')
  const [password, setPassword] = useState('')
  const [tried, setTried] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const nameError = taken.includes(name) ? `${name} exists already: change its password instead.` : problem(AccountName.safeParse(name))
  const passwordError = problem(Password.safeParse(password))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    if (nameError || passwordError) return
    setBusy(true)
    setError(null)
    try {
      await add({ name, role, password })
      notify({ kind: 'success', title: `Account ${name} added`, message: `Role ${role}. Its password is not shown again.` })
      setName('')
      setPassword('')
      setTried(false)
    } catch (err) {
      setError(messageOf(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} aria-label="Add an account" className="flex flex-col gap-2 border-t border-line pt-3">
      <div className="grid grid-cols-[minmax(0,1fr)_150px] gap-2">
        <Field label="Account name" value={name} onChange={(e) => setName(e.target.value.trim())} error={tried || name ? nameError : null} mono />
        <Select<Role> label="Role" value={role} onChange={setRole} options={ROLES} />
      </div>
      <Field label="Password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={tried ? passwordError : null} hint="At least 8 characters; it is not shown again." />
      {error ? <InlineError title="Account not added" message={<Advice text={error} />} /> : null}
      <div className="flex justify-end">
        <Button type="submit" disabled={busy} icon={<UserPlus className="size-3.5" aria-hidden />}>
          {busy ? 'Adding…' : 'Add account'}
        </Button>
      </div>
    </form>
  )
}

function PasswordDialog({ name, onClose }: { name: string; onClose(): void }) {
  const change = useSharing((s) => s.changePassword)
  const [password, setPassword] = useState('')
  const [tried, setTried] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const passwordError = problem(Password.safeParse(password))
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    if (passwordError) return
    setBusy(true)
    try {
      await change(name, password)
      notify({ kind: 'success', title: `New password for ${name}`, message: 'Clients logged in with the old one must log in again.' })
      onClose()
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={`Change the password of ${name}`} description="The new password works at once; it is not shown again.">
      <form onSubmit={submit} className="flex flex-col gap-3">
        <Field label="New password" type="password" autoComplete="new-password" autoFocus value={password} onChange={(e) => setPassword(e.target.value)} error={tried ? passwordError : null} />
        {error ? <InlineError title="Password not changed" message={<Advice text={error} />} /> : null}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Change password'}
          </Button>
        </div>
      </form>
    </Modal>
  )
}

function RemoveDialog({ name, onClose }: { name: string; onClose(): void }) {
  const remove = useSharing((s) => s.removeAccount)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  return (
    <ConfirmDialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Remove the account ${name}?`}
      confirmLabel="Remove account"
      busy={busy}
      error={error ? <InlineError className="mt-3" title="Not removed" message={<Advice text={error} />} /> : null}
      onConfirm={async () => {
        setBusy(true)
        try {
          await remove(name)
          notify({ kind: 'success', title: `Account ${name} removed` })
          onClose()
        } catch (err) {
          setError(messageOf(err))
          setBusy(false)
        }
      }}
    >
      <p>Clients using it are refused from their next request. Images it pushed stay.</p>
    </ConfirmDialog>
  )
}
