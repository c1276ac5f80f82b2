// Column widths for the window's virtualized tables, fitted to what the cells hold. Each row is a
// grid of its own (rows are positioned one by one), so the browser cannot size a column by its
// content as a <table> does: this does, from the cells' measured text, for every row at once.

export interface ColumnSpec<Id extends string = string> {
  id: Id
  /** Its widest cell (or header), in px. */
  natural: number
  /** Cut short with an ellipsis below its natural width (its cells carry a title), never below `min`. Others get their natural width. */
  shrink?: { min: number }
  /** Takes the room left over once every column has its natural width (one per table). */
  grow?: boolean
  /** Left out when even the narrowest widths do not fit: the lowest goes first; without it, never. */
  drop?: number
}

export interface FittedColumns<Id extends string = string> {
  /** Each shown column's width in px, in order; a left-out column is absent. */
  widths: Map<Id, number>
  /** For `grid-template-columns`. */
  template: string
}

const narrowest = (c: ColumnSpec) => (c.shrink ? Math.min(c.shrink.min, c.natural) : c.natural)

/**
 * Widths for `columns` in `available` px (gaps of `gap` between them): columns are dropped by
 * priority until the narrowest widths fit; fixed columns get their natural width; the shrinkable
 * ones share the rest, none wider than its content while another is cut (so no column keeps room
 * another lacks); what is left over goes to the growing column.
 */
export function fitColumns<Id extends string>(columns: readonly ColumnSpec<Id>[], available: number, gap: number): FittedColumns<Id> {
  let shown = [...columns]
  const need = (cs: ColumnSpec[]) => cs.reduce((n, c) => n + narrowest(c), 0) + gap * Math.max(0, cs.length - 1)
  while (need(shown) > available) {
    const droppable = shown.filter((c) => c.drop !== undefined)
    if (droppable.length === 0) break
    const first = droppable.reduce((a, b) => (b.drop! < a.drop! ? b : a))
    shown = shown.filter((c) => c !== first)
  }
  const widths = new Map<Id, number>()
  let room = available - gap * Math.max(0, shown.length - 1)
  for (const c of shown)
    if (!c.shrink) {
      widths.set(c.id, c.natural)
      room -= c.natural
    }
  // Water-filling: the narrowest content first, each at most an equal share of what remains.
  const shrinkable = shown.filter((c) => c.shrink).sort((a, b) => a.natural - b.natural)
  shrinkable.forEach((c, i) => {
    const share = Math.floor(room / (shrinkable.length - i))
    const width = Math.max(narrowest(c), Math.min(c.natural, share))
    widths.set(c.id, width)
    room -= width
  })
  const grow = shown.find((c) => c.grow)
  if (grow && room > 0) widths.set(grow.id, widths.get(grow.id)! + room)
  const ordered = new Map<Id, number>()
  for (const c of shown) ordered.set(c.id, Math.max(0, Math.floor(widths.get(c.id)!)))
  return { widths: ordered, template: [...ordered.values()].map((w) => `${w}px`).join(' ') }
}
