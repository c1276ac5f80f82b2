import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Berth's per-user folder — Electron's `userData` for "Berth" — computed without Electron so the
 * command line finds the same one: `$XDG_CONFIG_HOME/Berth` (default ~/.config) on Linux,
 * `~/Library/Application Support/Berth` on macOS, `%APPDATA%\Berth` on Windows.
 */
export function berthConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || env.USERPROFILE || homedir()
  let appData: string
  if (platform === 'darwin') appData = join(home, 'Library', 'Application Support')
  else if (platform === 'win32') appData = env.APPDATA || join(home, 'AppData', 'Roaming')
  else appData = env.XDG_CONFIG_HOME || join(home, '.config')
  return join(appData, 'Berth')
}

/** The folder the desktop app keeps its registry in. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return join(berthConfigDir(env, platform), 'registry')
}

/** Where Berth's local CA and the registry's server certificate live (per user, not per data folder). */
export function defaultTlsDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return join(berthConfigDir(env, platform), 'tls')
}
