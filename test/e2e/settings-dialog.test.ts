import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { tempDir } from '../helpers/berth'
import { launchChromium, layoutProblems, shoot, watchConsole } from './browser'
import { spawnServeApp, type ServeApp } from './serve-app'

// The Settings dialog in Chromium against berth serve (issue 14, defect 1): validation as you type,
// Save disabled while a field is invalid, what the address means, light and dark screenshots.

describe('the Settings dialog in Chromium', () => {
  let browser: Browser
  let serve: ServeApp
  let page: Page
  let problems: string[]
  let dataDir = ''
  beforeAll(async () => {
    dataDir = await tempDir('berth-e2e-settings-')
    serve = await spawnServeApp(['--data', dataDir], { hideDocker: false })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1024, height: 768 }, colorScheme: 'light', reducedMotion: 'reduce' })
    problems = watchConsole(page)
    await page.goto(serve.appUrl)
  })
  afterAll(async () => {
    await browser?.close()
    await serve?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('refuses 999.1.1.1 as you type, keeps Save disabled, and says a shared address shares the registry', async () => {
    await page.getByRole('button', { name: 'Settings' }).click()
    const dialog = page.getByRole('dialog', { name: 'Registry settings' })
    await expect(dialog.textContent()).resolves.not.toMatch(/saved at once/i)
    const host = dialog.getByLabel('Bind address')
    await host.fill('999.1.1.1')
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('999.1.1.1 is not an IP address')
    await expect(dialog.getByRole('button', { name: 'Save' }).isDisabled()).resolves.toBe(true)
    // Nothing in the dialog sticks out of it (a fieldset is as wide as its widest select unless told otherwise).
    const box = await dialog.boundingBox()
    // Runs in the page; this project's TypeScript has no DOM types.
    const widest = (await page.evaluate(`Math.max(...Array.from(document.querySelectorAll('[role=dialog] select, [role=dialog] input, [role=dialog] fieldset')).map((e) => e.getBoundingClientRect().right))`)) as number
    expect(widest).toBeLessThanOrEqual(box!.x + box!.width)
    await expect(dialog.evaluate((d) => d.scrollWidth <= d.clientWidth + 1)).resolves.toBe(true)
    expect(await layoutProblems(page, [])).toEqual([])
    await shoot(page, '40-settings-invalid-address')
    await host.fill('0.0.0.0')
    await expect(dialog.textContent()).resolves.toContain('shares the registry with the network')
    await expect(dialog.getByRole('button', { name: 'Save' }).isEnabled()).resolves.toBe(true)
    await shoot(page, '41-settings-shared-address')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(problems).toEqual([])
  })
})
