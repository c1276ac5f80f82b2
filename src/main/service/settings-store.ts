import { readFile } from 'node:fs/promises'
import { Settings, type SettingsInput } from '@shared/model/registry'
import { writeFileAtomic } from '../storage/core/files'

export type { Settings }

/**
 * Settings in one JSON file, validated on read (a damaged file falls back to defaults, field by
 * field) and written atomically. The shell passes Electron's userData folder; `serve` its own.
 */
export class SettingsStore {
  private value: Settings
  private readonly defaults: Settings

  constructor(
    private readonly file: string | null,
    defaults: SettingsInput
  ) {
    this.defaults = Settings.parse(defaults)
    this.value = this.defaults
  }

  async load(): Promise<Settings> {
    if (!this.file) return this.value
    try {
      const raw = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, unknown>
      const merged: Record<string, unknown> = { ...this.defaults }
      for (const key of Object.keys(Settings.shape) as (keyof Settings)[]) {
        const field = Settings.shape[key].safeParse(raw[key])
        if (field.success) merged[key] = field.data
      }
      this.value = Settings.parse(merged)
    } catch {
      this.value = this.defaults
    }
    return this.value
  }

  get(): Settings {
    return this.value
  }

  async update(patch: Partial<Settings>): Promise<Settings> {
    return this.replace({ ...this.value, ...patch })
  }

  /** Puts back settings read earlier, whole (fields they lacked go too): a failed save undone. */
  async replace(value: Settings): Promise<Settings> {
    const next = Settings.parse(value)
    if (this.file) await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n')
    this.value = next
    return next
  }
}
