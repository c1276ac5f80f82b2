import { safeStorage } from 'electron'
import { readFile } from 'node:fs/promises'
import type { SecretStore } from '../remote/secret-store'
import { writeFileAtomic } from '../storage/core/files'

/**
 * Registry passwords typed into the window, encrypted by Electron's safeStorage (the OS keychain:
 * Keychain, DPAPI, kwallet/libsecret) in `<userData>/secrets.json`. Where the OS offers no real
 * encryption (Linux without a keyring: safeStorage's `basic_text`), nothing is written at all and the
 * secrets last for this session only — never clear text on disk.
 */
export class SafeStorageSecrets implements SecretStore {
  readonly persistence: 'keychain' | 'session'
  private readonly memory = new Map<string, string>()
  private cache: Record<string, string> | null = null

  constructor(private readonly file: string) {
    const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined
    this.persistence = safeStorage.isEncryptionAvailable() && backend !== 'basic_text' ? 'keychain' : 'session'
  }

  private async entries(): Promise<Record<string, string>> {
    if (!this.cache) {
      try {
        this.cache = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, string>
      } catch {
        this.cache = {}
      }
    }
    return this.cache
  }

  async get(id: string): Promise<string | null> {
    if (this.persistence === 'session') return this.memory.get(id) ?? null
    const sealed = (await this.entries())[id]
    if (!sealed) return null
    try {
      return safeStorage.decryptString(Buffer.from(sealed, 'base64'))
    } catch {
      // Sealed by another user or machine: as good as absent.
      return null
    }
  }

  async set(id: string, secret: string): Promise<void> {
    if (this.persistence === 'session') {
      this.memory.set(id, secret)
      return
    }
    const all = await this.entries()
    all[id] = safeStorage.encryptString(secret).toString('base64')
    await writeFileAtomic(this.file, JSON.stringify(all))
  }

  async delete(id: string): Promise<void> {
    this.memory.delete(id)
    if (this.persistence === 'session') return
    const all = await this.entries()
    if (!(id in all)) return
    delete all[id]
    await writeFileAtomic(this.file, JSON.stringify(all))
  }
}
