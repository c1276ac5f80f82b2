import { execFileSync } from 'node:child_process'
import { appendFile, mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatHtpasswd, hashPassword, parseHtpasswd, verifyPassword } from './htpasswd'
import { AccountStore } from './store'

const hasHtpasswd = (() => {
  try {
    execFileSync('htpasswd', ['-h'], { stdio: 'ignore' })
    return true
  } catch (err) {
    return (err as { status?: number }).status !== undefined
  }
})()

describe('htpasswd format', () => {
  it('keeps lines it does not understand, and writes name:hash lines', () => {
    const text = '# team\nalice:$2y$05$abc\nbob:{SHA}xyz\n\ngarbage\n'
    const entries = parseHtpasswd(text)
    expect(entries).toEqual([{ raw: '# team' }, { name: 'alice', hash: '$2y$05$abc' }, { name: 'bob', hash: '{SHA}xyz' }, { raw: 'garbage' }])
    expect(formatHtpasswd(entries)).toBe('# team\nalice:$2y$05$abc\nbob:{SHA}xyz\ngarbage\n')
  })

  it('hashes as htpasswd -B does ($2y$) and verifies only bcrypt', async () => {
    const hash = await hashPassword('correct horse', 4)
    expect(hash).toMatch(/^\$2y\$04\$/)
    expect(await verifyPassword('correct horse', hash)).toBe(true)
    expect(await verifyPassword('wrong horse', hash)).toBe(false)
    expect(await verifyPassword('x', '{SHA}abc')).toBe(false)
  })

  it.skipIf(!hasHtpasswd)('reads what Apache htpasswd -B writes, and htpasswd -v accepts what Berth writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-htpasswd-'))
    const file = join(dir, 'htpasswd')
    execFileSync('htpasswd', ['-B', '-b', '-c', file, 'apache', 'from apache 1'])
    const store = AccountStore.ofDataDir(dir)
    // The store reads <data>/berth/htpasswd: copy Apache's line there, add Berth's own account.
    const berthFile = store.htpasswdPath
    await store.add('berth', 'push', 'from berth 1')
    await appendFile(berthFile, await readFile(file, 'utf8'))
    await store.refresh(0)
    expect((await store.verify('apache', 'from apache 1'))?.role).toBe('pull')
    expect(await store.verify('apache', 'from apache 2')).toBeNull()
    execFileSync('htpasswd', ['-v', '-b', berthFile, 'berth', 'from berth 1'], { stdio: 'ignore' })
    expect(() => execFileSync('htpasswd', ['-v', '-b', berthFile, 'berth', 'wrong'], { stdio: 'ignore' })).toThrow()
  })
})

describe('account store', () => {
  it('adds, lists, changes and removes accounts; files are 0600 and never hold a password', async () => {
    const store = AccountStore.ofDataDir(await mkdtemp(join(tmpdir(), 'berth-accounts-')))
    expect(await store.list()).toEqual([])
    await store.add('alice', 'admin', 'alice password')
    await store.add('ci-bot', 'push', 'ci password!')
    await expect(store.add('alice', 'pull', 'another one')).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await store.list()).toEqual([
      { name: 'alice', role: 'admin', roleAssigned: true, usable: true },
      { name: 'ci-bot', role: 'push', roleAssigned: true, usable: true }
    ])
    for (const path of [store.htpasswdPath, store.rolesPath]) {
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      expect(await readFile(path, 'utf8')).not.toContain('password')
    }
    expect((await store.verify('alice', 'alice password'))?.role).toBe('admin')
    await store.passwd('alice', 'a new password')
    expect(await store.verify('alice', 'alice password')).toBeNull()
    expect((await store.verify('alice', 'a new password'))?.name).toBe('alice')
    await store.remove('ci-bot')
    await expect(store.remove('ci-bot')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await store.list()).map((a) => a.name)).toEqual(['alice'])
  })

  it('sees changes another process makes to the files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-accounts-'))
    const server = AccountStore.ofDataDir(dir)
    const cli = AccountStore.ofDataDir(dir)
    await cli.add('alice', 'push', 'alice password')
    const changed = new Promise<void>((resolve) => server.watch(resolve))
    await server.refresh(0)
    const before = server.generation
    await cli.remove('alice')
    await changed
    await server.refresh(0)
    expect(server.generation).toBeGreaterThan(before)
    expect(await server.verify('alice', 'alice password')).toBeNull()
    server.unwatch()
  })
})
