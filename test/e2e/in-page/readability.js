/* exported readability */
// Runs in the page (test/e2e/layout-check.ts reads this file and evaluates it): what makes the view
// as laid out now hard to read. Plain browser JavaScript, as this project's TypeScript has no DOM types.

/**
 * Problems, each a sentence naming the element: the page scrolling sideways; an element whose
 * content is wider (or, with a fixed height, taller) than its box; two column headers whose boxes or
 * texts overlap; a cell cut short with an ellipsis while another column of its table has the room it
 * lacks; text cut short elsewhere with no title to read it in full.
 */
function readability() {
  const problems = []
  const SLACK = 1
  const TABLE = 'table, [role=grid], [role=table], [role=treegrid]'
  const CELL = 'td, th, [role=gridcell], [role=cell], [role=columnheader], [role=rowheader]'
  const HEADER = 'th, [role=columnheader]'

  const shown = (el) => {
    if (!el.checkVisibility({ visibilityProperty: true })) return false
    const r = el.getBoundingClientRect()
    // A 1 px box is visually hidden on purpose (text for screen readers).
    return r.width > 1 && r.height > 1
  }
  const name = (el) => {
    const label = el.getAttribute('aria-label') || el.getAttribute('role') || ''
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50)
    return `${el.tagName.toLowerCase()}${label ? `[${label}]` : ''} "${text}"`
  }
  const clips = (style) => style.overflowX === 'hidden' || style.overflowX === 'clip'
  const ellipsis = (el, style) => style.textOverflow === 'ellipsis' && clips(style)

  const doc = document.documentElement
  if (doc.scrollWidth > doc.clientWidth + SLACK) problems.push(`the page scrolls sideways (${doc.scrollWidth} px of ${doc.clientWidth})`)

  // 1. Content wider than its box. Sideways scrolling is meant only for code (pre); a field scrolls
  // its own value; an ellipsis is judged in 3. Up and down, only boxes that do not scroll count.
  const overflowing = []
  for (const el of document.querySelectorAll('body *')) {
    if (!(el instanceof HTMLElement) || el.closest('pre') || el.matches('input, select, textarea, option')) continue
    const style = getComputedStyle(el)
    if (style.display === 'inline' || style.display === 'contents' || !shown(el)) continue
    const wide = !ellipsis(el, style) && el.scrollWidth > el.clientWidth + SLACK
    const scrollsY = style.overflowY === 'auto' || style.overflowY === 'scroll'
    const tall = !scrollsY && el.scrollHeight > el.clientHeight + SLACK
    if (wide) overflowing.push([el, `${name(el)} is wider than its box (${el.scrollWidth} px in ${el.clientWidth})`])
    else if (tall) overflowing.push([el, `${name(el)} is taller than its box (${el.scrollHeight} px in ${el.clientHeight})`])
  }
  // An overflowing child makes every box around it overflow too: name the innermost.
  for (const [el, problem] of overflowing) if (!overflowing.some(([other]) => other !== el && el.contains(other))) problems.push(problem)

  // The laid-out extent of what a box holds (text, icons, controls, inline boxes), not of the
  // block boxes that fill it: how wide its content really is.
  const contentWidth = (cell) => {
    let left = Infinity
    let right = -Infinity
    const add = (r) => {
      if (r.width === 0 && r.height === 0) return
      left = Math.min(left, r.left)
      right = Math.max(right, r.right)
    }
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) {
          if (!(child.textContent || '').trim()) continue
          const range = document.createRange()
          range.selectNodeContents(child)
          for (const r of range.getClientRects()) add(r)
        } else if (child instanceof Element) {
          if (child instanceof HTMLElement && !shown(child)) continue
          const display = getComputedStyle(child).display
          const leaf = !(child instanceof HTMLElement) || child.matches('input, select, button, img, textarea, code')
          if (leaf || display.startsWith('inline')) add(child.getBoundingClientRect())
          if (!leaf) walk(child)
        }
      }
    }
    walk(cell)
    return right > left ? right - left : 0
  }
  const innerWidth = (cell) => {
    const style = getComputedStyle(cell)
    return cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
  }
  const columnsOf = (table) => {
    const columns = []
    for (const row of table.querySelectorAll('tr, [role=row]')) {
      if (row.closest(TABLE) !== table || !shown(row)) continue
      const cells = Array.from(row.children).filter((c) => c.matches(CELL))
      cells.forEach((cell, i) => (columns[i] = columns[i] || []).push(cell))
    }
    return columns
  }
  const heading = (column) => (column.find((c) => c.matches(HEADER))?.textContent || '').trim() || '(no header)'

  // 2. Column headers side by side: neither their boxes nor their texts may overlap.
  for (const table of document.querySelectorAll(TABLE)) {
    if (!shown(table)) continue
    const headers = Array.from(table.querySelectorAll(HEADER)).filter((h) => h.closest(TABLE) === table && shown(h))
    const extent = (h) => {
      const r = h.getBoundingClientRect()
      const style = getComputedStyle(h)
      const start = r.left + parseFloat(style.paddingLeft)
      const width = contentWidth(h)
      return style.textAlign === 'right' || style.justifyContent === 'flex-end' ? [r.right - parseFloat(style.paddingRight) - width, r.right] : [start, start + width]
    }
    for (let i = 0; i < headers.length; i++)
      for (let j = i + 1; j < headers.length; j++) {
        const a = headers[i].getBoundingClientRect()
        const b = headers[j].getBoundingClientRect()
        const sameRow = a.top < b.bottom - SLACK && b.top < a.bottom - SLACK
        if (!sameRow) continue
        const [al, ar] = extent(headers[i])
        const [bl, br] = extent(headers[j])
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > SLACK || Math.min(ar, br) - Math.max(al, bl) > SLACK)
          problems.push(`the headers "${headers[i].textContent.trim()}" and "${headers[j].textContent.trim()}" of ${name(table)} overlap`)
      }
  }

  // 3. Text cut short with an ellipsis.
  for (const el of document.querySelectorAll('body *')) {
    if (!(el instanceof HTMLElement) || !shown(el)) continue
    const style = getComputedStyle(el)
    if (!ellipsis(el, style) || el.scrollWidth <= el.clientWidth + SLACK) continue
    const needs = el.scrollWidth - el.clientWidth
    const table = el.closest(TABLE)
    const cell = el.closest(CELL)
    if (table && cell) {
      // In a table, only when no other column has the room it lacks (each column's room: its
      // tightest cell's spare width).
      const columns = columnsOf(table)
      const mine = columns.findIndex((c) => c.includes(cell))
      let best = null
      columns.forEach((column, i) => {
        if (i === mine) return
        const room = Math.min(...column.map((c) => innerWidth(c) - contentWidth(c)))
        if (room >= needs && (!best || room > best.room)) best = { room, heading: heading(column) }
      })
      if (best) problems.push(`${name(el)} in ${name(table)} is cut short (it needs ${Math.ceil(needs)} px) while the column "${best.heading}" has ${Math.floor(best.room)} px to spare`)
    } else if (!el.closest('[title]')) {
      problems.push(`${name(el)} is cut short with no way to read it (it needs ${Math.ceil(needs)} px more)`)
    }
  }
  return problems
}
