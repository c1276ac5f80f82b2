import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The per-user folder the desktop app keeps its registry in (Electron's `userData` for "Berth", plus
 * `registry`), computed without Electron so the command line finds the same data.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || env.USERPROFILE || homedir()
  let appData: string
  if (platform === 'darwin') appData = join(home, 'Library', 'Application Support')
  else if (platform === 'win32') appData = env.APPDATA || join(home, 'AppData', 'Roaming')
  else appData = env.XDG_CONFIG_HOME || join(home, '.config')
  return join(appData, 'Berth', 'registry')
}
