import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BERTH_BIN } from '../helpers/berth'

// A data folder in which no folder can be made (/proc/nope: ENOENT for it, EEXIST for /proc) used to
// spin Node's recursive mkdir at 100% CPU forever. Every command ends at once with one sentence.

function berth(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(process.execPath, [BERTH_BIN, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: string | null }) | null
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr, ms: Date.now() - started })
    })
  })
}

describe.skipIf(!existsSync('/proc/self'))('a data folder that cannot be made', () => {
  it('berth serve --data /proc/nope: one sentence, exit 1, no hang', async () => {
    const r = await berth(['serve', '--port', '0', '--no-ui', '--data', '/proc/nope'])
    expect(r.signal, 'it should stop by itself, not be killed by the timeout').toBeNull()
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    const lines = r.stderr.trim().split('\n')
    expect(lines, r.stderr).toHaveLength(1)
    expect(lines[0]).toBe('berth: Cannot write to the data folder /proc/nope (no folder can be made there); choose another with --data.')
  })

  it('berth serve --data /proc/nope/deeper/still, and the commands that write a folder, end the same way', async () => {
    for (const args of [
      ['serve', '--port', '0', '--no-ui', '--data', '/proc/nope/deeper/still'],
      ['import', '/proc/self/status', '--data', '/proc/nope'],
      ['delete-repo', 'team/app', '--data', '/proc/nope'],
      ['gc', '--dry-run', '--data', '/proc/nope']
    ]) {
      const r = await berth(args)
      expect(r.signal, `${args.join(' ')} should stop by itself`).toBeNull()
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(0)
      expect(r.stderr.trim().split('\n'), `${args.join(' ')}: ${r.stderr}`).toHaveLength(1)
      expect(r.stderr).toMatch(/^berth: .*\/proc\/nope/)
    }
  })
})
