import type { TagSummary } from '@shared/model/catalog'
import { fitColumns, type ColumnSpec, type FittedColumns } from '../../lib/fit-columns'
import { formatBytes, formatRelative, formatPlatform } from '../../lib/format'
import { textWidth, widestText } from '../../lib/measure-text'

// The tags table's columns, fitted to its tags at the width it has: the tag and its platforms may be
// cut short (with a title), digest, size and dates are always whole; when the pane is too narrow for
// all, Pushed goes first, then the digest (both are in the tag's detail), then Created.

export type TagColumn = 'select' | 'tag' | 'digest' | 'platforms' | 'size' | 'created' | 'pushed'

/** Between columns, and inside the row at each end (gap-3, px-3). */
export const TAG_GAP = 12
export const TAG_PADDING = 12

export const TAG_CELL = 'font-mono text-[12px] font-medium'
export const DIGEST_CELL = 'font-mono text-[12px]'
export const TEXT_CELL = 'text-[12px]'
export const HEADER_CELL = 'text-[11px] font-semibold tracking-wide uppercase'
const BADGE = 'text-[11px] font-medium'

/** A sort header's arrow and the space before it. */
const SORT_ICON = 16
/** An xs copy button and the space before it. */
const COPY_BUTTON = 26
/** An attestation shield and the space before it. */
const SHIELD = 18
/** What a relative date may turn into while the table stays open, so a date column never needs to grow. */
const RELATIVE_SAMPLES = ['59 min ago', '23 h ago', '29 days ago']

/** `linux: amd64, arm64` when every platform shares its OS, else each in full. */
export function platformsText(platforms: TagSummary['platforms']): string {
  if (platforms.length === 0) return ''
  const oses = new Set(platforms.map((p) => p.os))
  if (oses.size === 1) return `${platforms[0].os}: ${platforms.map((p) => [p.architecture, p.variant].filter(Boolean).join('/')).join(', ')}`
  return platforms.map(formatPlatform).join(', ')
}

/** How wide the Platforms cell of a tag is. */
function platformsWidth(t: TagSummary): number {
  if (t.kind === 'artifact') return textWidth('artifact', BADGE) + 14
  if (t.kind === 'image') return textWidth('single image', TEXT_CELL)
  return textWidth(platformsText(t.platforms) || 'index', TEXT_CELL) + (t.attestations > 0 ? SHIELD : 0)
}

const header = (label: string, sortable: boolean) => textWidth(label, HEADER_CELL) + (sortable ? SORT_ICON : 0)

/** The columns for `items` in a row `width` px wide (inside its padding). */
export function tagColumns(items: readonly TagSummary[], width: number): FittedColumns<TagColumn> {
  // Room for what a date may become, unless the column has none (a remote's tags carry no dates).
  const dates = (pick: (t: TagSummary) => string | null) =>
    widestText([...(items.some((t) => pick(t)) ? RELATIVE_SAMPLES : []), ...items.map((t) => formatRelative(pick(t)))], TEXT_CELL)
  const tagHeader = header('Tag', true)
  const platformsHeader = header('Platforms', false)
  const columns: ColumnSpec<TagColumn>[] = [
    { id: 'select', natural: 16 },
    { id: 'tag', natural: Math.max(tagHeader, widestText(items.map((t) => t.tag), TAG_CELL)), shrink: { min: Math.max(tagHeader, 64) }, grow: true },
    { id: 'digest', natural: Math.max(header('Digest', false), textWidth('0123456789ab', DIGEST_CELL) + COPY_BUTTON), drop: 2 },
    { id: 'platforms', natural: Math.max(platformsHeader, ...items.map(platformsWidth)), shrink: { min: Math.max(platformsHeader, 72) }, drop: 4 },
    { id: 'size', natural: Math.max(header('Size', true), widestText(items.map((t) => formatBytes(t.size)), TEXT_CELL) + 2) },
    { id: 'created', natural: Math.max(header('Created', true), dates((t) => t.created)), drop: 3 },
    { id: 'pushed', natural: Math.max(header('Pushed', true), dates((t) => t.pushedAt)), drop: 1 }
  ]
  return fitColumns(columns, width, TAG_GAP)
}
