const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses `90s`, `30m`, `24h`, `7d` (or a bare number of seconds) into milliseconds; null when it is not one. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!m) return null
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's'])
}
