import type { LayerProgress, Transfer } from '@shared/model/docker'
import { formatBytes } from '../../lib/format'

// What a finished transfer moved and what it skipped, in the registry's own sizes: an engine counts a
// pushed layer uncompressed and a mounted one not at all, so "2/2 layers, 18 B of 18 B" said nothing
// of a 1.1 MB image whose base was mounted.

type Group = 'moved' | 'mounted' | 'exists'

function groupOf(l: LayerProgress): Group {
  return l.phase === 'mounted' ? 'mounted' : l.phase === 'exists' ? 'exists' : 'moved'
}

/** The verb for the layers this transfer sent or fetched. */
function movedVerb(t: Pick<Transfer, 'kind' | 'path'>): string {
  if (t.path === 'copy') return 'copied'
  return t.kind === 'push' ? 'pushed' : 'pulled'
}

/** `sent`, `mounted`, `already there`, each with its layers' stored size when every one is known. */
export function layerGroups(t: Pick<Transfer, 'kind' | 'path' | 'layers'>): { label: string; layers: number; bytes: number | null }[] {
  const groups: { group: Group; label: string }[] = [
    { group: 'moved', label: movedVerb(t) },
    { group: 'mounted', label: 'mounted' },
    { group: 'exists', label: 'already there' }
  ]
  return groups
    .map(({ group, label }) => {
      const layers = t.layers.filter((l) => groupOf(l) === group)
      const bytes = layers.every((l) => l.size !== null) ? layers.reduce((n, l) => n + (l.size ?? 0), 0) : null
      return { label, layers: layers.length, bytes }
    })
    .filter((g) => g.layers > 0)
}

/**
 * ["1 pushed (157 B)", "1 mounted (1.1 MB)", "image 1.1 MB"] for a finished transfer whose sizes the
 * registry told; null while it runs or when no size is known (the running counts say more then).
 */
export function transferSummary(t: Pick<Transfer, 'kind' | 'path' | 'layers' | 'state' | 'imageBytes'>): string[] | null {
  if (t.state !== 'done') return null
  const groups = layerGroups(t)
  if (t.imageBytes === null && groups.every((g) => g.bytes === null)) return null
  const parts = groups.map((g) => `${g.layers} ${g.label}${g.bytes !== null ? ` (${formatBytes(g.bytes)})` : ''}`)
  if (t.imageBytes !== null) parts.push(`image ${formatBytes(t.imageBytes)}`)
  return parts
}
