import { execSync } from 'node:child_process'
import { join } from 'node:path'

// Integration tests run `berth serve` as a real process: build it once, the way users get it.
export default function setup(): void {
  execSync('node scripts/ensure-built.mjs', { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' })
}
