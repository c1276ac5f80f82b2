import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const SCREENSHOTS = join(import.meta.dirname, 'screenshots')

/**
 * Debian's Chromium, launched as ECOSYSTEM.md says (no sandbox as root, no background networking).
 * `executablePath` may be a wrapper (e.g. one that runs it inside a network namespace).
 */
export function launchChromium(executablePath = '/usr/bin/chromium'): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
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
