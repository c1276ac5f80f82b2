import type { Settings } from '@shared/model/registry'

/** The changes typed so far: what Save sends (only fields that differ from the saved settings). */
export type SettingsDraft = Partial<Settings>

/**
 * A section of the Settings dialog (push and pull, sharing…): it shows the saved value or its own
 * draft, adds its fields to the draft, and says which of them is invalid — Save stays disabled while
 * any section has a problem. Nothing is saved until Save.
 */
export interface SettingsSectionProps {
  settings: Settings
  draft: SettingsDraft
  change(patch: SettingsDraft): void
  /** `field` is the section's own name for it; null clears it. */
  setProblem(field: string, problem: string | null): void
}

/** The value shown for `key`: the draft's when it changed, else the saved one. */
export function current<K extends keyof Settings>(props: Pick<SettingsSectionProps, 'settings' | 'draft'>, key: K): Settings[K] {
  return (key in props.draft ? props.draft[key] : props.settings[key]) as Settings[K]
}
