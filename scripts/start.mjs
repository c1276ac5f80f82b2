// `npm start`: the desktop app through electron-vite preview, or — when the Electron binary was never
// downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD, no network at install) — one sentence on how to get it and
// on `npm run serve`, the same window in a browser, with a non-zero exit instead of electron-vite's stack.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** Where electron-vite will look for the binary (ELECTRON_EXEC_PATH, else node_modules/electron/path.txt), or null. */
export function electronBinary(env = process.env, from = import.meta.url) {
  if (env.ELECTRON_EXEC_PATH) return existsSync(env.ELECTRON_EXEC_PATH) ? env.ELECTRON_EXEC_PATH : null
  let dir
  try {
    dir = dirname(createRequire(from).resolve('electron'))
  } catch {
    return null
  }
  const pathFile = join(dir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : null
}

export const MISSING =
  "berth: the Electron binary is missing — run `npm ci` on a network that reaches Electron's downloads to get it, or `npm run serve` for the same window in a browser."

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  if (!electronBinary()) {
    process.stderr.write(MISSING + '\n')
    process.exit(1)
  }
  const root = join(import.meta.dirname, '..')
  const run = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'preview', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit'
  })
  process.exit(run.status ?? 1)
}
