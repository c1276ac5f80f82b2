import { execFileSync } from 'node:child_process'
import { describe } from 'vitest'
import { hasCommand } from './run'

/** Whether the Docker engine answers (docker CLI → daemon). */
export function dockerReachable(): boolean {
  if (!hasCommand('docker')) return false
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 15_000 })
    return true
  } catch {
    return false
  }
}

/**
 * `describe` for suites that need real parts (the Docker engine, skopeo, podman, docker-registry).
 * Missing parts skip the suite with a loud reason — unless BERTH_REQUIRE_DOCKER=1 (CI), where the
 * suite fails instead, so CI can never pass by skipping.
 */
export function describeWith(needs: { docker?: boolean; commands?: string[] }, name: string, fn: () => void): void {
  const missing: string[] = []
  if (needs.docker && !dockerReachable()) missing.push('a reachable Docker engine')
  for (const c of needs.commands ?? []) if (!hasCommand(c)) missing.push(`the ${c} command`)
  if (missing.length === 0) {
    describe(name, fn)
    return
  }
  const reason = `needs ${missing.join(', ')} (install with: apt-get install -y docker.io docker-registry skopeo podman buildah busybox-static apache2-utils iproute2 curl openssl; start dockerd)`
  if (process.env.BERTH_REQUIRE_DOCKER === '1') {
    describe(name, () => {
      throw new Error(`BERTH_REQUIRE_DOCKER=1 but this suite ${reason}`)
    })
    return
  }
  console.warn(`\n*** SKIPPING "${name}": it ${reason} ***\n`)
  describe.skip(name, fn)
}

/**
 * Skips one test (`ctx` is vitest's test context) when `missing` names something the machine lacks —
 * loudly, and never under BERTH_REQUIRE_DOCKER=1 (CI), where the test fails instead: the same rule
 * as `describeWith`.
 */
export function skipUnless(ctx: { skip(note?: string): void }, available: boolean, missing: string): void {
  if (available) return
  if (process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but this test needs ${missing}`)
  console.warn(`\n*** SKIPPING: this test needs ${missing} ***\n`)
  ctx.skip()
}
