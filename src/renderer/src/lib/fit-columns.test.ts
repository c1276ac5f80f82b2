import { describe, expect, it } from 'vitest'
import { fitColumns, type ColumnSpec } from './fit-columns'

const TAGS: ColumnSpec[] = [
  { id: 'tag', natural: 200, shrink: { min: 60 }, grow: true },
  { id: 'digest', natural: 110, drop: 2 },
  { id: 'platforms', natural: 180, shrink: { min: 70 } },
  { id: 'size', natural: 50 },
  { id: 'created', natural: 80, drop: 3 },
  { id: 'pushed', natural: 70, drop: 1 }
]
const total = (w: Map<string, number>, gap: number) => [...w.values()].reduce((a, b) => a + b, 0) + gap * (w.size - 1)

describe('fitColumns', () => {
  it('gives every column its content when there is room, and the rest to the growing one', () => {
    const { widths, template } = fitColumns(TAGS, 1000, 10)
    expect([...widths.keys()]).toEqual(['tag', 'digest', 'platforms', 'size', 'created', 'pushed'])
    expect(widths.get('platforms')).toBe(180)
    expect(widths.get('tag')).toBe(1000 - 50 - (110 + 180 + 50 + 80 + 70))
    expect(template.split(' ')).toHaveLength(6)
    expect(total(widths, 10)).toBe(1000)
  })

  it('cuts the shrinkable columns evenly, never one wider than its content while another is cut', () => {
    // Fixed: 110 + 50 + 80 + 70 = 310, gaps 50: 240 px left for tag (200) and platforms (180).
    const { widths } = fitColumns(TAGS, 600, 10)
    expect(widths.get('tag')).toBe(120)
    expect(widths.get('platforms')).toBe(120)
    expect(total(widths, 10)).toBe(600)
    // One that needs little keeps its content; the other gets all the rest.
    const short = TAGS.map((c) => (c.id === 'platforms' ? { ...c, natural: 90 } : c))
    const fitted = fitColumns(short, 600, 10)
    expect(fitted.widths.get('platforms')).toBe(90)
    expect(fitted.widths.get('tag')).toBe(150)
  })

  it('drops columns by priority until the narrowest widths fit, and keeps those without one', () => {
    // Narrowest of all six: 60 + 110 + 70 + 50 + 80 + 70 + gaps 50 = 490.
    expect([...fitColumns(TAGS, 489, 10).widths.keys()]).toEqual(['tag', 'digest', 'platforms', 'size', 'created'])
    expect([...fitColumns(TAGS, 340, 10).widths.keys()]).toEqual(['tag', 'platforms', 'size', 'created'])
    expect([...fitColumns(TAGS, 100, 10).widths.keys()]).toEqual(['tag', 'platforms', 'size'])
  })

  it('never makes a column narrower than its minimum', () => {
    const { widths } = fitColumns(TAGS, 100, 10)
    expect(widths.get('tag')).toBe(60)
    expect(widths.get('platforms')).toBe(70)
  })
})
