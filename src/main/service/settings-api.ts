import type { Api } from '@shared/contract'
import type { Settings } from '@shared/model/registry'
import { parseMirrorSpec } from '../remote/mirror-spec'
import { checkAdoptable } from '../storage/manage'
import type { EventBus } from './events'
import type { RegistryHost } from './registry-host'
import type { SettingsStore } from './settings-store'

type SettingsMethods = { [M in keyof Api as M extends `registry.${string}` | `settings.${string}` ? M : never]: Api[M] }

/** The registry's lifecycle and the settings: a change of address or folder restarts a running registry. */
export function createSettingsApi(
  registry: RegistryHost,
  settings: SettingsStore,
  bus: EventBus,
  onStartAtLogin?: (enabled: boolean) => void
): SettingsMethods {
  return {
    'registry.status': async () => registry.status(),
    'registry.start': () => registry.start(),
    'registry.stop': () => registry.stop(),
    'registry.restart': () => registry.restart(),
    'settings.get': async () => settings.get(),
    'settings.update': async (input) => {
      const before = settings.get()
      let patch = input
      // A mirror that cannot be parsed is refused here, not when the registry next starts.
      for (const m of input.mirrors ?? []) parseMirrorSpec(m)
      // The same refusal as storage.open: never take over a folder holding other things than registry data.
      if (input.dataDir !== undefined && input.dataDir !== before.dataDir) patch = { ...input, dataDir: (await checkAdoptable(input.dataDir)).dataDir }
      const next = await settings.update(patch)
      if (patch.startAtLogin !== undefined && patch.startAtLogin !== before.startAtLogin) onStartAtLogin?.(next.startAtLogin)
      const origins = (o: Settings) => JSON.stringify(o.allowedOrigins ?? [])
      const sharingChanged = (['tls', 'anonymousPull', 'tlsCert', 'tlsKey'] as const).some((k) => next[k] !== before[k])
      const mirrorsChanged =
        JSON.stringify(next.mirrors ?? []) !== JSON.stringify(before.mirrors ?? []) || next.mirrorBudgetBytes !== before.mirrorBudgetBytes || next.mirrorTtlMs !== before.mirrorTtlMs
      const moved =
        next.port !== before.port || next.host !== before.host || next.dataDir !== before.dataDir || origins(next) !== origins(before) || sharingChanged || mirrorsChanged
      if (moved) {
        if (registry.running) await registry.restart()
        else bus.emit('registry.status', registry.status())
        // Another folder: opening it announces that everything changed.
        if (next.dataDir !== before.dataDir) await registry.storage()
      }
      return next
    }
  }
}
