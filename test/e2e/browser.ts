import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const SCREENSHOTS = join(import.meta.dirname, 'screenshots')

/**
 * Debian's Chromium, launched as ECOSYSTEM.md says (no sandbox as root, no background networking).
 * `executablePath` may be a wrapper (e.g. one that runs it inside a network namespace); `extraArgs`
 * e.g. host resolver rules.
 */
export function launchChromium(options: { executablePath?: string; extraArgs?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: options.executablePath ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(options.extraArgs ?? [])]
  })
}

/** Every console error and page error of a page, to assert there are none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  return problems
}

/** Saves the page as it is now, in light and in dark, as `<name>-light.png` / `<name>-dark.png`. */
export async function shoot(page: Page, name: string, settleMs = 250): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true })
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    // Let transitions settle so the picture shows the state, not the fade (0 for a state that is passing).
    if (settleMs > 0) await page.waitForTimeout(settleMs)
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

/**
 * What a person would notice is wrong with the layout as it is now: the page scrolling sideways, a
 * named region missing or off screen, an element wider than its box (cut off), text cut short with
 * no way to read it (an ellipsis, or clipped, without a `title` on it or around it). Empty when it
 * reads well.
 */
export function layoutProblems(page: Page, regions: string[]): Promise<string[]> {
  // Runs in the page; plain JavaScript, as this project's TypeScript has no DOM types.
  return page.evaluate(`(${LAYOUT_CHECK})(${JSON.stringify(regions)})`) as Promise<string[]>
}

const LAYOUT_CHECK = `(regions) => {
  const problems = []
  const doc = document.documentElement
  if (doc.scrollWidth > doc.clientWidth + 1) problems.push('the page scrolls sideways (' + doc.scrollWidth + ' px of ' + doc.clientWidth + ')')
  for (const name of regions) {
    const el = document.querySelector('[aria-label="' + name + '"]')
    const r = el && el.getBoundingClientRect()
    if (!r || r.width < 40 || r.height < 20) problems.push('the region "' + name + '" is not shown')
    else if (r.right > window.innerWidth + 1 || r.left < -1) problems.push('the region "' + name + '" runs off the screen')
  }
  for (const el of document.querySelectorAll('body *')) {
    if (!(el instanceof HTMLElement) || el.offsetParent === null) continue
    // Visually hidden on purpose (for screen readers): a 1 px box, nothing to read on screen.
    const box = el.getBoundingClientRect()
    if (box.width <= 1 || box.height <= 1) continue
    const hasText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent || '').trim() !== '')
    if (!hasText) continue
    const style = getComputedStyle(el)
    const clips = style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis'
    if (clips && el.scrollWidth > el.clientWidth + 1 && !el.closest('[title]'))
      problems.push(el.tagName.toLowerCase() + ' "' + (el.textContent || '').trim().slice(0, 60) + '" is cut short with no way to read it')
  }
  return problems.slice(0, 20)
}`
