import bcrypt from 'bcryptjs'

/*
 * The htpasswd file as Apache's `htpasswd -B` writes it and Distribution's `auth.htpasswd` reads it:
 * one `name:hash` per line, bcrypt hashes (`$2y$…`). Lines Berth does not understand are kept as
 * they are, so editing an account never loses someone else's line.
 */

/** bcrypt's work factor: about 50–100 ms per check in plain JavaScript, which is why checks are cached. */
export const BCRYPT_COST = 10

export interface HtpasswdLine {
  name: string
  hash: string
}

export type HtpasswdEntry = HtpasswdLine | { raw: string }

export function isBcrypt(hash: string): boolean {
  return /^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)
}

export function parseHtpasswd(text: string): HtpasswdEntry[] {
  const entries: HtpasswdEntry[] = []
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim()
    const colon = trimmed.indexOf(':')
    if (trimmed === '' || trimmed.startsWith('#') || colon <= 0) {
      if (trimmed !== '') entries.push({ raw: line })
      continue
    }
    entries.push({ name: trimmed.slice(0, colon), hash: trimmed.slice(colon + 1) })
  }
  return entries
}

export function formatHtpasswd(entries: readonly HtpasswdEntry[]): string {
  return entries.map((e) => ('raw' in e ? e.raw : `${e.name}:${e.hash}`)).join('\n') + (entries.length ? '\n' : '')
}

/** A bcrypt hash in htpasswd's `$2y$` spelling (the same algorithm as `$2b$`; Go's bcrypt reads both). */
export async function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  const hash = await bcrypt.hash(password, cost)
  return hash.replace(/^\$2[ab]\$/, '$2y$')
}

/** Constant-time as bcrypt is; false for hashes that are not bcrypt. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!isBcrypt(hash)) return false
  return bcrypt.compare(password, hash)
}
