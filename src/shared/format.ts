// Sizes for people, the same in the window and on the command line: SI units, as docker prints them.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB']

/** Bytes in SI units, as docker prints them: 1.2 MB, 512 B. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  if (n < 1000) return `${n} B`
  let v = n
  let i = 0
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000
    i++
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${UNITS[i]}`
}
