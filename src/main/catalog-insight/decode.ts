// Small readers for untrusted JSON: what a field is when it is what we expect, null otherwise.

export type Json = Record<string, unknown>

export function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {}
}

export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** A path of keys into nested objects: `at(json, 'predicate', 'builder', 'id')`. */
export function at(v: unknown, ...keys: string[]): unknown {
  let cur = v
  for (const k of keys) cur = obj(cur)[k]
  return cur
}

export function parseJsonOrNull(bytes: Buffer | string): Json | null {
  try {
    const v = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8')) as unknown
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null
  } catch {
    return null
  }
}

/** Base64 or base64url, as signature envelopes use either. */
export function fromBase64(text: unknown): Buffer | null {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}

const PAYLOAD_MAX_CHARS = 16_000

/** JSON pretty-printed for people, cut at a bound (a payload is shown, not processed). */
export function pretty(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? ''
  return text.length > PAYLOAD_MAX_CHARS ? `${text.slice(0, PAYLOAD_MAX_CHARS)}\n… (${text.length - PAYLOAD_MAX_CHARS} more characters)` : text
}

/** Seconds since the epoch (Rekor's integratedTime) or an ISO string, as ISO; null otherwise. */
export function toIso(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return new Date(v * 1000).toISOString()
  if (typeof v === 'string' && /^\d{9,11}$/.test(v)) return new Date(Number(v) * 1000).toISOString()
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString()
  return null
}
