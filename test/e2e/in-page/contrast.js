/* exported contrast */
// Runs in the page (test/e2e/layout-check.ts reads this file and evaluates it): the WCAG contrast of
// every piece of text shown. Plain browser JavaScript, as this project's TypeScript has no DOM types.

/**
 * For each element holding visible text (and each empty field's placeholder): its text colour,
 * composited over the backgrounds behind it, against those backgrounds, as the WCAG 2 contrast ratio
 * of relative luminances. The browser does the colour work: every computed colour (rgb(), oklch(),
 * color(), color-mix()…) is painted on a 1×1 canvas, layer over layer as the page stacks them, and
 * read back opaque. A background image's gradient counts as each of its colour stops (the worst one
 * wins). Disabled controls are left out (WCAG exempts them), as are elements under the pointer.
 * Returns every sample, lowest ratio first.
 */
function contrast() {
  const canvas = document.createElement('canvas')
  canvas.width = canvas.height = 1
  const ctx = canvas.getContext('2d', { willReadFrequently: true })

  /** Paints `layers` (CSS colours with their own alpha, bottom first) over white; the opaque sRGB result. */
  const composite = (layers) => {
    ctx.globalAlpha = 1
    ctx.fillStyle = '#ffffff'
    ctx.fillRect(0, 0, 1, 1)
    for (const [color, alpha] of layers) {
      ctx.globalAlpha = alpha
      ctx.fillStyle = '#000000'
      ctx.fillStyle = color
      ctx.fillRect(0, 0, 1, 1)
    }
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data
    return [r, g, b]
  }
  const luminance = ([r, g, b]) => {
    const lin = (c) => {
      const s = c / 255
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
    }
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
  }
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
    return (hi + 0.05) / (lo + 0.05)
  }
  const transparent = (color) => /^rgba\(0, 0, 0, 0\)$|^transparent$/.test(color)
  // Colour stops of a gradient, as the computed value spells them (rgb(…), oklch(…), color(…), #…).
  const stops = (image) => image.match(/(?:rgba?|hsla?|oklch|oklab|lab|lch|color|color-mix)\((?:[^()]|\([^()]*\))*\)|#[0-9a-f]{3,8}\b/gi) || []

  /** What is painted behind `el`, outermost first: each a list of alternatives (a gradient has several). */
  const backdrop = (el) => {
    const stack = []
    let opacity = 1
    for (let node = el; node && node instanceof Element; node = node.parentElement) {
      const style = getComputedStyle(node)
      opacity *= parseFloat(style.opacity)
      const options = []
      if (style.backgroundImage && style.backgroundImage !== 'none') options.push(...stops(style.backgroundImage))
      if (!transparent(style.backgroundColor)) options.push(style.backgroundColor)
      if (options.length > 0) stack.unshift(options)
      // An opaque colour hides everything behind it (the same painted over white and over black).
      if (!transparent(style.backgroundColor) && composite([[style.backgroundColor, 1]]).join() === composite([['#000000', 1], [style.backgroundColor, 1]]).join()) break
    }
    return { stack, opacity }
  }
  /** Every combination of the alternatives, as layer lists. */
  const variants = (stack) => stack.reduce((acc, options) => acc.flatMap((layers) => options.map((o) => [...layers, [o, 1]])), [[]])

  const measure = (el, color) => {
    const { stack, opacity } = backdrop(el)
    let worst = null
    for (const layers of variants(stack)) {
      const bg = composite(layers)
      const fg = composite([...layers, [color, opacity]])
      const r = ratio(fg, bg)
      if (!worst || r < worst.ratio) worst = { ratio: r, fg: `rgb(${fg.join(' ')})`, bg: `rgb(${bg.join(' ')})` }
    }
    return worst
  }

  const hovered = new Set(document.querySelectorAll(':hover'))
  // A disabled control and its label are exempt (WCAG 1.4.3: inactive user interface components).
  const exempt = (el) => el.closest(':disabled, [aria-disabled="true"], [inert]') !== null || el.closest('label')?.control?.disabled === true || (hovered.has(el) && el.matches('button, a, [role=option], [role=row], [role=treeitem], [role=tab], [role=menuitem]'))
  const describe = (el, text) => {
    const label = el.getAttribute('aria-label') || el.getAttribute('role') || ''
    return `${el.tagName.toLowerCase()}${label ? `[${label}]` : ''} "${text.slice(0, 50)}"`
  }
  const samples = []
  const seen = new Set()
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node.textContent || '').trim().replace(/\s+/g, ' ')
    const el = node.parentElement
    if (!text || !el || seen.has(el) || el.closest('script, style, noscript')) continue
    seen.add(el)
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue
    const range = document.createRange()
    range.selectNodeContents(node)
    const box = range.getBoundingClientRect()
    if (box.width <= 1 || box.height <= 1) continue
    // Painted off the screen or outside the scroll box around it: nobody can read it now.
    if (box.bottom < 0 || box.top > innerHeight || box.right < 0 || box.left > innerWidth) continue
    const top = document.elementFromPoint(Math.min(innerWidth - 1, Math.max(0, box.left + box.width / 2)), Math.min(innerHeight - 1, Math.max(0, box.top + box.height / 2)))
    if (top && !el.contains(top) && !top.contains(el)) continue
    if (exempt(el)) continue
    const style = getComputedStyle(el)
    samples.push({ what: describe(el, text), size: style.fontSize, ...measure(el, style.color) })
  }
  for (const field of document.querySelectorAll('input:placeholder-shown, textarea:placeholder-shown')) {
    if (!field.checkVisibility({ visibilityProperty: true, opacityProperty: true }) || exempt(field) || !field.placeholder) continue
    const style = getComputedStyle(field, '::placeholder')
    samples.push({ what: `${describe(field, field.placeholder)} (placeholder)`, size: style.fontSize, ...measure(field, style.color) })
  }
  return samples.sort((a, b) => a.ratio - b.ratio)
}
