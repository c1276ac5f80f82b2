import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { SavedRegistry } from '@shared/model/remote'
import { writeFileAtomic } from '../storage/core/files'
import type { Credential, CredentialLookup } from './credentials'
import type { SecretStore } from './secret-store'

// Registries a person added in the window: address, TLS choice, user name — in a JSON file beside
// the settings (or in memory for `berth serve`). Their passwords are never in that file: they go
// to the SecretStore, under the registry's id.

const FileShape = z.object({ registries: z.array(SavedRegistry) })

export class SavedRegistries {
  private list: SavedRegistry[] = []
  private loaded: Promise<void> | null = null

  constructor(
    private readonly file: string | null,
    readonly secrets: SecretStore
  ) {}

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      if (!this.file) return
      try {
        this.list = FileShape.parse(JSON.parse(await readFile(this.file, 'utf8'))).registries
      } catch {
        this.list = []
      }
    })()
    return this.loaded
  }

  private async save(): Promise<void> {
    if (this.file) await writeFileAtomic(this.file, JSON.stringify({ registries: this.list }, null, 2) + '\n')
  }

  async all(): Promise<SavedRegistry[]> {
    await this.load()
    return this.list.map((r) => ({ ...r }))
  }

  /** By id or address. */
  async find(key: string): Promise<SavedRegistry | null> {
    await this.load()
    return this.list.find((r) => r.id === key || r.address === key) ?? null
  }

  async add(input: { address: string; tlsVerify: boolean; username?: string; password?: string }): Promise<SavedRegistry> {
    await this.load()
    const existing = this.list.find((r) => r.address === input.address)
    const id = existing?.id ?? randomUUID()
    const saved = Boolean(input.username && input.password)
    if (saved) await this.secrets.set(id, input.password!)
    else await this.secrets.delete(id)
    const entry: SavedRegistry = {
      id,
      address: input.address,
      tlsVerify: input.tlsVerify,
      username: input.username ?? null,
      credentials: saved ? 'saved' : 'docker',
      secretPersistence: saved ? this.secrets.persistence : null,
      addedAt: existing?.addedAt ?? new Date().toISOString()
    }
    this.list = [...this.list.filter((r) => r.id !== id), entry]
    await this.save()
    return { ...entry }
  }

  async remove(key: string): Promise<boolean> {
    const found = await this.find(key)
    if (!found) return false
    this.list = this.list.filter((r) => r.id !== found.id)
    await this.secrets.delete(found.id)
    await this.save()
    return true
  }

  /** Credentials typed into Berth for a registry address (then the docker CLI's are asked). */
  lookup(): CredentialLookup {
    return async (address): Promise<Credential | null> => {
      const r = await this.find(address)
      if (!r || r.credentials !== 'saved' || !r.username) return null
      const password = await this.secrets.get(r.id)
      return password ? { username: r.username, password } : null
    }
  }
}
