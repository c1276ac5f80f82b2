import type { Logger } from 'pino'
import type { Api } from '@shared/contract'
import type { Settings } from '@shared/model/registry'
import { parseMirrorSpec } from '../remote/mirror-spec'
import { checkAdoptable } from '../storage/manage'
import type { EventBus } from './events'
import { ensureWritable, type RegistryHost } from './registry-host'
import type { SettingsStore } from './settings-store'

/** Whether a running registry must restart to serve `next` (its address, folder, origins, sharing or mirrors changed). */
function moves(before: Settings, next: Settings): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? []) === JSON.stringify(b ?? [])
  const sharing = (['tls', 'anonymousPull', 'tlsCert', 'tlsKey'] as const).some((k) => next[k] !== before[k])
  const mirrors = !same(next.mirrors, before.mirrors) || next.mirrorBudgetBytes !== before.mirrorBudgetBytes || next.mirrorTtlMs !== before.mirrorTtlMs
  return next.port !== before.port || next.host !== before.host || next.dataDir !== before.dataDir || !same(next.allowedOrigins, before.allowedOrigins) || sharing || mirrors
}

type SettingsMethods = { [M in keyof Api as M extends `registry.${string}` | `settings.${string}` ? M : never]: Api[M] }

/** The registry's lifecycle and the settings: a change of address or folder restarts a running registry, or changes nothing. */
export function createSettingsApi(
  registry: RegistryHost,
  settings: SettingsStore,
  bus: EventBus,
  onStartAtLogin?: (enabled: boolean) => void,
  log?: Logger
): SettingsMethods {
  return {
    'registry.status': async () => registry.status(),
    'registry.start': () => registry.start(),
    'registry.stop': () => registry.stop(),
    'registry.restart': () => registry.restart(),
    'settings.get': async () => settings.get(),
    // A save that fails changes nothing: what can be checked without stopping the registry is checked
    // first (mirrors, the folder, the new address by a throw-away listen), and a restart on the new
    // settings that still fails puts the old settings back and starts the registry on them again.
    'settings.update': async (input) => {
      const before = settings.get()
      let patch = input
      // A mirror that cannot be parsed is refused here, not when the registry next starts.
      for (const m of input.mirrors ?? []) parseMirrorSpec(m)
      // The same refusal as storage.open: never take over a folder holding other things than registry data.
      if (input.dataDir !== undefined && input.dataDir !== before.dataDir) {
        patch = { ...input, dataDir: (await checkAdoptable(input.dataDir)).dataDir }
        await ensureWritable(patch.dataDir!)
      }
      const wanted = { ...before, ...patch }
      if (wanted.port !== before.port || wanted.host !== before.host) await registry.checkAddress(wanted.host, wanted.port)
      const next = await settings.update(patch)
      if (moves(before, next)) {
        if (registry.running) {
          try {
            await registry.restart()
          } catch (err) {
            await settings.replace(before)
            await registry.start().catch((again) => log?.warn({ err: (again as Error).message }, 'the registry did not start again on its old settings'))
            throw err
          }
        } else bus.emit('registry.status', registry.status())
        // Another folder: opening it announces that everything changed.
        if (next.dataDir !== before.dataDir) await registry.storage()
      }
      if (patch.startAtLogin !== undefined && patch.startAtLogin !== before.startAtLogin) onStartAtLogin?.(next.startAtLogin)
      return next
    }
  }
}
