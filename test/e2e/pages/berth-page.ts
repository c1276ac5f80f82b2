import { expect } from 'vitest'
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { watchConsole } from '../browser'

/** Polls until `fn` stops throwing (Playwright's own expect is not used: vitest runs these tests). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      last = err
      if ((err as { fatal?: boolean }).fatal) throw err
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${(last as Error).message}`, { cause: err })
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

/** The Berth window, one method per user action; everything found by role and name. */
export class BerthPage {
  constructor(readonly page: Page) {}

  get header(): Locator {
    return this.page.getByRole('banner')
  }

  registryState(): Locator {
    return this.header.getByRole('status', { name: /^Registry / })
  }

  async stopRegistry(): Promise<void> {
    await this.header.getByRole('button', { name: 'Stop registry' }).click()
    await this.header.getByRole('button', { name: 'Start registry' }).waitFor()
  }

  async startRegistry(): Promise<void> {
    await this.header.getByRole('button', { name: 'Start registry' }).click()
    await this.header.getByRole('button', { name: 'Stop registry' }).waitFor()
  }

  async registryAddress(): Promise<string> {
    return (await this.header.locator('code').first().textContent()) ?? ''
  }

  repositories(): Locator {
    return this.page.getByRole('listbox', { name: 'Repositories' })
  }

  repository(name: string): Locator {
    return this.page.getByRole('option', { name, exact: true })
  }

  async search(text: string): Promise<void> {
    await this.page.getByRole('searchbox', { name: 'Search repositories' }).fill(text)
  }

  localImage(ref: string): Locator {
    return this.page.getByRole('listitem', { name: ref, exact: true })
  }

  async filterImages(text: string): Promise<void> {
    await this.page.getByRole('searchbox', { name: 'Filter local images' }).fill(text)
  }

  newRepositoryTarget(): Locator {
    return this.page.getByRole('region', { name: 'New repository drop target' })
  }

  pushDialog(): Locator {
    return this.page.getByRole('dialog')
  }

  /** The newest transfer card for a source (`Push app:1.0`, `Pull localhost:…`). */
  transfer(title: string): Locator {
    return this.page.getByRole('list', { name: 'Transfers' }).getByRole('listitem', { name: title, exact: true }).first()
  }

  async waitTransferDone(title: string, timeoutMs = 120_000): Promise<Locator> {
    const card = this.transfer(title)
    await eventually(
      async () => {
        const state = await card.getAttribute('data-state', { timeout: 1000 })
        if (state === 'error') throw Object.assign(new Error(`transfer failed: ${await card.textContent()}`), { fatal: true })
        expect(state).toBe('done')
      },
      timeoutMs,
      `${title} to finish`
    )
    return card
  }

  tagsGrid(): Locator {
    return this.page.getByRole('grid', { name: /^Tags of / })
  }

  tagRow(tag: string): Locator {
    return this.tagsGrid().getByRole('row', { name: tag, exact: true })
  }

  /** Clicks the tag's name, as a person does (the middle of the row may be its digest's copy button). */
  async openTag(tag: string): Promise<void> {
    await this.tagRow(tag).getByRole('gridcell').nth(1).click()
    await this.page.getByRole('region', { name: new RegExp(`^Details of .*:${tag.replace(/\./g, '\\.')}$`) }).waitFor()
  }

  async tab(name: RegExp | string): Promise<void> {
    await this.page.getByRole('tab', { name }).click()
  }

  action(name: string): Locator {
    return this.page.getByRole('toolbar', { name: 'Tag actions' }).getByRole('button', { name, exact: true })
  }

  async deleteFromMenu(item: 'Delete tag…' | 'Delete manifest…'): Promise<Locator> {
    await this.action('Delete').click()
    await this.page.getByRole('menuitem', { name: new RegExp(item) }).click()
    const dialog = this.page.getByRole('alertdialog')
    await dialog.waitFor()
    return dialog
  }

  // The storage view (header: Catalog | Storage).

  async openStorage(): Promise<Locator> {
    await this.header.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Storage' }).click()
    const main = this.page.getByRole('main', { name: 'Storage' })
    await main.getByRole('group', { name: 'Total on disk' }).waitFor()
    return main
  }

  async openCatalog(): Promise<void> {
    await this.header.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Catalog' }).click()
    await this.repositories().or(this.page.getByRole('main', { name: 'Empty registry' })).first().waitFor()
  }

  /** A card of the storage view by its heading: Garbage collection, Retention, Data folder, Verify… */
  storageCard(name: string): Locator {
    return this.page.getByRole('main', { name: 'Storage' }).getByRole('region', { name, exact: true })
  }

  /** The value of a usage number (Total on disk, Unreferenced blobs, Free space…): the big figure, e.g. "182 MB". */
  async usageFigure(name: string): Promise<string> {
    const group = this.page.getByRole('main', { name: 'Storage' }).getByRole('group', { name, exact: true })
    return ((await group.locator('div').nth(1).textContent()) ?? '').trim()
  }

  // The other views of the header: Remotes, Activity, Sharing.

  async openView(name: 'Catalog' | 'Storage' | 'Remotes' | 'Activity' | 'Sharing'): Promise<void> {
    await this.header.getByRole('navigation', { name: 'Views' }).getByRole('button', { name }).click()
  }

  /** A titled card of the Sharing view: Share on the network, Accounts, Certificate authority, Use from another machine. */
  sharingCard(name: string): Locator {
    return this.page.getByRole('main', { name: 'Sharing' }).getByRole('region', { name, exact: true })
  }

  activityRows(): Locator {
    return this.page.getByRole('table', { name: 'Requests' }).getByRole('row')
  }

  doctorBanner(): Locator {
    return this.page.getByRole('region', { name: 'Docker and this registry' })
  }

  /** Waits for the success toasts to leave, so a screenshot shows the view under them. */
  async quiet(): Promise<void> {
    const toasts = this.page.getByRole('region', { name: /^Notification/ }).locator('li')
    await eventually(async () => expect(await toasts.count()).toBe(0), 15_000, 'the toasts to go')
  }
}

/**
 * Opens the window at `url` (what `berth serve` printed) in a new page, light and without motion, and
 * waits for the registry bar; `problems` collects console errors (a test asserts there are none).
 */
export async function openBerth(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<{ page: Page; ui: BerthPage; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', reducedMotion: 'reduce', ...options })
  const problems = watchConsole(page)
  await page.goto(url)
  const ui = new BerthPage(page)
  await ui.registryState().waitFor()
  return { page, ui, problems }
}
