// Formatting shared by every view. Pure, so tests can pin the exact strings.
import { splitImageReference } from '@shared/reference'

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

/** "just now", "5 min ago", "3 h ago", "2 days ago", then a date. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—'
  const t = Date.parse(iso)
  if (!Number.isFinite(t)) return '—'
  const s = Math.round((now - t) / 1000)
  if (s < 45) return 'just now'
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  const h = Math.round(m / 60)
  if (h < 24) return `${h} h ago`
  const d = Math.round(h / 24)
  if (d < 30) return `${d} day${d === 1 ? '' : 's'} ago`
  return formatDate(iso)
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return '—'
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}

/** `sha256:0123456789ab` — algorithm and the first 12 hex digits, the way docker shortens ids. */
export function shortDigest(digest: string | null | undefined, length = 12): string {
  if (!digest) return '—'
  const [alg, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest]
  return alg ? `${alg}:${hex.slice(0, length)}` : hex.slice(0, length)
}

export function formatPlatform(p: { os: string; architecture: string; variant?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

const MEDIA: [RegExp, string][] = [
  [/\.index\.v1\+json$/, 'OCI index'],
  [/manifest\.list\.v2\+json$/, 'Docker manifest list'],
  [/image\.manifest\.v1\+json$/, 'OCI manifest'],
  [/distribution\.manifest\.v2\+json$/, 'Docker manifest v2'],
  [/image\.rootfs\.diff\.tar\.gzip$/, 'Docker layer (tar+gzip)'],
  [/image\.rootfs\.diff\.tar$/, 'Docker layer (tar)'],
  [/image\.layer\.v1\.tar\+gzip$/, 'OCI layer (tar+gzip)'],
  [/image\.layer\.v1\.tar\+zstd$/, 'OCI layer (tar+zstd)'],
  [/image\.layer\.v1\.tar$/, 'OCI layer (tar)'],
  [/container\.image\.v1\+json$/, 'Docker image config'],
  [/image\.config\.v1\+json$/, 'OCI image config'],
  [/in-toto\+json$/, 'in-toto attestation']
]

/** A media type in words (the exact type stays available as a title). */
export function mediaTypeLabel(mediaType: string): string {
  return MEDIA.find(([re]) => re.test(mediaType))?.[1] ?? mediaType
}

/** `localhost:5000/team/app:1.2` → `{ repository: 'team/app', tag: '1.2' }` — registry host dropped. */
export const splitImageRef = splitImageReference

/** A repository name suggested for an image (lowercased; characters the rules refuse become "-"). */
export function suggestRepository(ref: string): string {
  // An image id (untagged image) names nothing.
  if (/^(sha256:)?[a-f0-9]{12,64}$/.test(ref)) return ''
  const { repository } = splitImageRef(ref)
  return repository
    .toLowerCase()
    .replace(/[^a-z0-9._/-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
}

/** The tag a push defaults to: the image's own tag, else latest. */
export function defaultTag(ref: string): string {
  return splitImageRef(ref).tag ?? 'latest'
}
