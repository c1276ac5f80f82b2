// Secrets a person types into the window (a registry password or token). The interface lives here;
// the desktop app implements it in src/main/shell with Electron's safeStorage (encrypted by the OS
// keychain, never clear text on disk). `berth serve` has no keychain: it keeps them in memory for the
// session only and says so. No implementation ever logs a secret.

export interface SecretStore {
  /** Whether secrets outlive this process ('keychain') or end with it ('session'). */
  readonly persistence: 'keychain' | 'session'
  get(id: string): Promise<string | null>
  set(id: string, secret: string): Promise<void>
  delete(id: string): Promise<void>
}

export class MemorySecretStore implements SecretStore {
  readonly persistence = 'session' as const
  private readonly secrets = new Map<string, string>()

  async get(id: string): Promise<string | null> {
    return this.secrets.get(id) ?? null
  }

  async set(id: string, secret: string): Promise<void> {
    this.secrets.set(id, secret)
  }

  async delete(id: string): Promise<void> {
    this.secrets.delete(id)
  }
}
