// How wide a text is when set in the window's type, without laying it out: the font, letter spacing
// and case a set of classes gives, read once from a probe element, and a canvas to measure with.

interface TextStyle {
  font: string
  letterSpacing: string
  upper: boolean
  size: number
}

const styles = new Map<string, TextStyle>()
/** Widths already measured, by classes and text: tables measure the same cells again at each change. */
const widths = new Map<string, number>()
const MAX_CACHED = 50_000
let context: OffscreenCanvasRenderingContext2D | null | undefined

function styleOf(classes: string): TextStyle {
  let style = styles.get(classes)
  if (!style) {
    const probe = document.createElement('span')
    probe.className = classes
    probe.style.position = 'absolute'
    probe.style.visibility = 'hidden'
    document.body.appendChild(probe)
    const s = getComputedStyle(probe)
    style = {
      font: `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`,
      letterSpacing: s.letterSpacing === 'normal' ? '0px' : s.letterSpacing,
      upper: s.textTransform === 'uppercase',
      size: parseFloat(s.fontSize) || 12
    }
    probe.remove()
    styles.set(classes, style)
  }
  return style
}

/**
 * The width in px of `text` set with `classes` (e.g. `font-mono text-[12px]`), rounded up. Where
 * there is no canvas (jsdom in tests) an estimate: 0.6 em a character.
 */
export function textWidth(text: string, classes: string): number {
  const key = `${classes}\n${text}`
  const known = widths.get(key)
  if (known !== undefined) return known
  const style = styleOf(classes)
  const shown = style.upper ? text.toUpperCase() : text
  if (context === undefined) context = typeof OffscreenCanvas === 'undefined' ? null : new OffscreenCanvas(1, 1).getContext('2d')
  let width = Math.ceil(shown.length * style.size * 0.6)
  if (context) {
    context.font = style.font
    context.letterSpacing = style.letterSpacing
    width = Math.ceil(context.measureText(shown).width)
  }
  if (widths.size >= MAX_CACHED) widths.clear()
  widths.set(key, width)
  return width
}

/** The widest of `texts` set with `classes`. */
export function widestText(texts: Iterable<string>, classes: string): number {
  let widest = 0
  const seen = new Set<string>()
  for (const t of texts) {
    if (seen.has(t)) continue
    seen.add(t)
    widest = Math.max(widest, textWidth(t, classes))
  }
  return widest
}
