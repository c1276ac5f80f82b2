import { watch, type FSWatcher } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { BerthError } from '@shared/errors'
import { Role, type Account } from '@shared/model/sharing'
import { isNotFound, makeDir, writeFileAtomic } from '../storage/core/files'
import { layoutOf, paths } from '../storage/core/paths'
import { formatHtpasswd, hashPassword, isBcrypt, parseHtpasswd, verifyPassword, type HtpasswdEntry, type HtpasswdLine } from './htpasswd'

/*
 * The accounts of a data folder: `<data>/berth/htpasswd` (Distribution can be pointed at it as is)
 * and `<data>/berth/roles.json` beside it. Both are written atomically with mode 0600. The files are
 * re-read when they change — by `berth users` in another process or by hand — noticed by fs.watch
 * and, because watching is unreliable on some file systems, by an mtime check at most once a second.
 */

const SECRET_MODE = 0o600

interface RolesFile {
  version: 1
  roles: Record<string, Role>
}

export class AccountStore {
  readonly htpasswdPath: string
  readonly rolesPath: string
  private entries: HtpasswdEntry[] = []
  private roles: Record<string, Role> = {}
  private stamp = 'unread'
  private checkedAt = -Infinity
  private watcher: FSWatcher | null = null
  private writes: Promise<unknown> = Promise.resolve()
  private listeners = new Set<() => void>()
  /** Bumped whenever the accounts changed; caches of verified credentials key on it. */
  generation = 0

  /** The folder both files live in (watched for changes). */
  readonly dir: string

  constructor(files: { htpasswd: string; roles: string }) {
    this.htpasswdPath = files.htpasswd
    this.rolesPath = files.roles
    this.dir = dirname(files.htpasswd)
  }

  /** The accounts of the data folder `dataDir`. */
  static ofDataDir(dataDir: string): AccountStore {
    const layout = layoutOf(dataDir)
    return new AccountStore({ htpasswd: paths.htpasswdFile(layout), roles: paths.rolesFile(layout) })
  }

  private async currentStamp(): Promise<string> {
    const part = async (path: string) => {
      try {
        const s = await stat(path)
        return `${s.ino}/${s.size}/${s.mtimeMs}`
      } catch (err) {
        if (isNotFound(err)) return 'none'
        throw err
      }
    }
    return `${await part(this.htpasswdPath)}|${await part(this.rolesPath)}`
  }

  /** Reads both files again if they changed since the last read (`maxAgeMs`: how old a check may be). */
  async refresh(maxAgeMs = 1000): Promise<void> {
    const now = performance.now()
    if (now - this.checkedAt < maxAgeMs) return
    this.checkedAt = now
    const stamp = await this.currentStamp()
    if (stamp === this.stamp) return
    const [htpasswd, roles] = await Promise.all([readOrEmpty(this.htpasswdPath), readOrEmpty(this.rolesPath)])
    this.entries = parseHtpasswd(htpasswd)
    this.roles = parseRoles(roles)
    this.stamp = stamp
    this.generation++
    for (const l of this.listeners) l()
  }

  /** Account changes made elsewhere are picked up at once; returns the unsubscribe. */
  watch(onChange?: () => void): () => void {
    if (onChange) this.listeners.add(onChange)
    if (!this.watcher) {
      try {
        // The directory, not the file: atomic writes replace the file, which ends a watch on it.
        this.watcher = watch(this.dir, { persistent: false }, () => {
          this.refresh(0).catch(() => {})
        })
        this.watcher.on('error', () => this.unwatch())
      } catch {
        // No folder yet (no account yet) or no inotify: the mtime check still notices.
      }
    }
    return () => {
      if (onChange) this.listeners.delete(onChange)
    }
  }

  unwatch(): void {
    this.watcher?.close()
    this.watcher = null
  }

  private lines(): HtpasswdLine[] {
    return this.entries.filter((e): e is HtpasswdLine => 'name' in e)
  }

  async list(): Promise<Account[]> {
    await this.refresh(0)
    return this.lines().map((l) => this.account(l))
  }

  /** How many accounts can log in (bcrypt hashes). */
  get usableCount(): number {
    return this.lines().filter((l) => isBcrypt(l.hash)).length
  }

  private account(line: HtpasswdLine): Account {
    const assigned = this.roles[line.name]
    return { name: line.name, role: assigned ?? 'pull', roleAssigned: assigned !== undefined, usable: isBcrypt(line.hash) }
  }

  /** The account if the password is right, else null. Runs bcrypt: cache the answer (see registry/auth.ts). */
  async verify(name: string, password: string): Promise<Account | null> {
    await this.refresh()
    const line = this.lines().find((l) => l.name === name)
    if (!line) {
      // The same work as a real check, so timing does not tell which names exist.
      await verifyPassword(password, DUMMY_HASH)
      return null
    }
    return (await verifyPassword(password, line.hash)) ? this.account(line) : null
  }

  add(name: string, role: Role, password: string): Promise<Account> {
    return this.mutate(async () => {
      if (this.lines().some((l) => l.name === name))
        throw new BerthError('CONFLICT', `An account ${name} exists already; change its password with \`berth users passwd ${name}\`, or remove it first.`, { name })
      const line = { name, hash: await hashPassword(password) }
      this.entries.push(line)
      this.roles[name] = role
      return this.account(line)
    })
  }

  remove(name: string): Promise<void> {
    return this.mutate(async () => {
      this.require(name)
      this.entries = this.entries.filter((e) => !('name' in e) || e.name !== name)
      delete this.roles[name]
    })
  }

  passwd(name: string, password: string): Promise<void> {
    return this.mutate(async () => {
      const line = this.require(name)
      line.hash = await hashPassword(password)
    })
  }

  private require(name: string): HtpasswdLine {
    const line = this.lines().find((l) => l.name === name)
    if (!line) throw new BerthError('NOT_FOUND', `There is no account ${name}; \`berth users list\` shows the accounts.`, { name })
    return line
  }

  /** Read the latest files, change, write both atomically; changes never overlap within this process. */
  private mutate<T>(change: () => Promise<T>): Promise<T> {
    const run = this.writes.then(async () => {
      await this.refresh(0)
      const result = await change()
      // Only Berth's own folder is private; the data folder above keeps the mode it has.
      await makeDir(dirname(this.dir))
      await makeDir(this.dir, 0o700)
      await writeFileAtomic(this.htpasswdPath, formatHtpasswd(this.entries), { mode: SECRET_MODE })
      const roles: RolesFile = { version: 1, roles: this.roles }
      await writeFileAtomic(this.rolesPath, JSON.stringify(roles, null, 2) + '\n', { mode: SECRET_MODE })
      this.checkedAt = -Infinity
      await this.refresh(0)
      return result
    })
    this.writes = run.catch(() => {})
    return run
  }
}

// A bcrypt hash of a random string nobody knows, for checks against names that do not exist.
const DUMMY_HASH = '$2y$10$KmlDbvZ8s/RO8sS0xnfYFu0SScSnPx1vX4a2Q9l6ioZ2.pVD4sJlq'

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (isNotFound(err)) return ''
    throw err
  }
}

function parseRoles(text: string): Record<string, Role> {
  if (text.trim() === '') return {}
  try {
    const raw = (JSON.parse(text) as Partial<RolesFile>).roles ?? {}
    const roles: Record<string, Role> = {}
    for (const [name, role] of Object.entries(raw)) {
      const parsed = Role.safeParse(role)
      if (parsed.success) roles[name] = parsed.data
    }
    return roles
  } catch {
    // A damaged roles file gives nobody more than pull.
    return {}
  }
}
