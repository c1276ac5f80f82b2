import { spawnSync } from 'node:child_process'
import { chmod, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/berth'

// `npm start` is scripts/start.mjs: on a machine that never downloaded Electron's binary (this one),
// one sentence and a non-zero exit instead of electron-vite's "Error: Electron uninstall" stack.

const root = join(import.meta.dirname, '..', '..')
const start = (env: NodeJS.ProcessEnv, args: string[] = []) =>
  spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 })

describe('npm start', () => {
  it('is the launcher script', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(pkg.scripts.start).toBe('node scripts/start.mjs')
  })

  it('without the Electron binary: says it is missing, how to get it, and that npm run serve gives the window; exits 1', () => {
    const run = start({ ELECTRON_EXEC_PATH: join(root, 'no-such-electron') })
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    const lines = run.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/Electron binary is missing/)
    expect(lines[0]).toMatch(/npm ci/)
    expect(lines[0]).toMatch(/Electron's downloads/)
    expect(lines[0]).toMatch(/npm run serve.*browser/)
    expect(run.stderr).not.toMatch(/Electron uninstall|at getElectronPath/)
  })

  it('on this machine as installed (no binary downloaded) says the same', () => {
    const run = start({ ELECTRON_EXEC_PATH: '' })
    if (run.status === 0) return // a machine that has the binary started the app instead
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^berth: the Electron binary is missing/)
  })

  it('with a binary: runs electron-vite preview with it, passing arguments through', async () => {
    const dir = await tempDir('berth-start-')
    const stub = join(dir, 'electron')
    await writeFile(stub, '#!/bin/sh\necho "electron ran with: $*"\n')
    await chmod(stub, 0o755)
    try {
      const run = start({ ELECTRON_EXEC_PATH: stub }, ['--skipBuild'])
      expect(run.status).toBe(0)
      expect(run.stdout).toContain('electron ran with: .')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
