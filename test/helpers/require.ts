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
  const reason = `needs ${missing.join(', ')} (install with: apt-get install -y docker.io docker-registry skopeo podman buildah busybox-static apache2-utils openssl; start dockerd)`
  if (process.env.BERTH_REQUIRE_DOCKER === '1') {
    describe(name, () => {
      throw new Error(`BERTH_REQUIRE_DOCKER=1 but this suite ${reason}`)
    })
    return
  }
  console.warn(`\n*** SKIPPING "${name}": it ${reason} ***\n`)
  describe.skip(name, fn)
}
