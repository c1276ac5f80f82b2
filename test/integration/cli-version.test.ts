import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BERTH_BIN } from '../helpers/berth'

describe('berth --version', () => {
  it('prints the package version and exits 0 (also -V)', () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
    expect(execFileSync(process.execPath, [BERTH_BIN, '--version'], { encoding: 'utf8' })).toBe(`${version}\n`)
    expect(execFileSync(process.execPath, [BERTH_BIN, '-V'], { encoding: 'utf8' })).toBe(`${version}\n`)
  })
})
