const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }

/** Parses `500m`, `20g`, `1.5GiB`, `800MB` (binary units) or a bare number of bytes; null when it is not one. */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt])?(?:i?b)?$/i.exec(text.trim())
  if (!m) return null
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()])
}
