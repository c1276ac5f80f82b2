import semver from 'semver'

// Orders for names people read: natural (repo-2 before repo-10) and version-aware (v1.45 before
// v1.400, 1.0.0-rc.1 before 1.0.0).

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

/** Natural order: digit runs compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0)
}

const VERSION_LIKE = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/

interface VersionKey {
  parts: number[]
  pre: string | null
}

function versionKey(tag: string): VersionKey | null {
  const m = VERSION_LIKE.exec(tag)
  return m ? { parts: m[1].split('.').map(Number), pre: m[2] ?? null } : null
}

/**
 * Version order: tags that look like versions (`v1.2`, `1.2.3-rc.1`, `2024.10.1`) by their numbers,
 * a prerelease before its release and prereleases by semver's rules; then every other tag (latest,
 * main, sha-…) after them, in natural order.
 */
export function versionCompare(a: string, b: string): number {
  const ka = versionKey(a)
  const kb = versionKey(b)
  if (!ka || !kb) return ka ? -1 : kb ? 1 : naturalCompare(a, b)
  const n = Math.max(ka.parts.length, kb.parts.length)
  for (let i = 0; i < n; i++) {
    const d = (ka.parts[i] ?? 0) - (kb.parts[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  if (ka.pre !== kb.pre) {
    if (ka.pre === null) return 1
    if (kb.pre === null) return -1
    // semver compares prerelease identifiers (numeric ones as numbers, numeric before alphanumeric).
    const va = semver.parse(`0.0.0-${ka.pre}`)
    const vb = semver.parse(`0.0.0-${kb.pre}`)
    if (va && vb) return semver.compare(va, vb)
  }
  return naturalCompare(a, b)
}
