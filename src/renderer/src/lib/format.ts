// Formatting shared by every view. Pure, so tests can pin the exact strings.
import { formatBytes } from '@shared/format'
import { splitImageReference } from '@shared/reference'

export { formatBytes }

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the day ("Mar 22, 2026": short enough for a table cell; formatDate gives the time). */
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
  return new Date(t).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
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

/** A repository name suggested for an image (lowercased; characters the rules refuse become "-"). */
export function suggestRepository(ref: string): string {
  // An image id (untagged image) names nothing.
  if (/^(sha256:)?[a-f0-9]{12,64}$/.test(ref)) return ''
  const { repository } = splitImageReference(ref)
  return repository
    .toLowerCase()
    .replace(/[^a-z0-9._/-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
}

/** The tag a push defaults to: the image's own tag, else latest. */
export function defaultTag(ref: string): string {
  return splitImageReference(ref).tag ?? 'latest'
}

/** The first few of a list, then how many more. */
export function listSome(items: readonly string[], n: number): string {
  return items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} and ${items.length - n} more`
}

/** `3 blobs`, `1 blob`: a count with its noun. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}
