import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { BERTH_BIN, tempDir } from '../helpers/berth'
import { putManifest } from '../helpers/oci-push'
import { describeWith } from '../helpers/require'
import { pushBuildkitIndex, pushCosignSignature, pushImage, pushNotationSignature, pushSbomArtifact } from '../helpers/supply-chain'
import { launchChromium, layoutProblems, shoot, watchConsole } from './browser'
import { BerthPage, eventually } from './pages/berth-page'
import { seedRepositories } from './seed'
import { spawnServeApp, type ServeApp } from './serve-app'

// The window at scale in Debian's Chromium against `berth serve`: 3,000 repositories (namespaces,
// one with 500 tags), version tags, signatures, SBOMs and BuildKit attestations, a saved policy.
// Render, filter and scroll times are measured in the page and printed (never asserted: bench/ is
// for speed); screenshots at 1024, 1280 and 1920, light and dark, in test/e2e/screenshots/uxf-*.

const WIDTHS = [1024, 1280, 1920]
const REGIONS = ['Repositories', 'Docker']

/** Sets a React-controlled input's value as typing does, and returns the time until the next paint. */
const TYPE_AND_PAINT = `async ([selector, text]) => {
  const input = document.querySelector(selector)
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set
  const t = performance.now()
  setter.call(input, text)
  input.dispatchEvent(new Event('input', { bubbles: true }))
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  return performance.now() - t
}`

/** Scrolls a list from top to bottom in steps, one frame each; the mean and worst frame. */
const SCROLL_FRAMES = `async (selector) => {
  const el = document.querySelector(selector)
  const frames = []
  const steps = 40
  for (let i = 1; i <= steps; i++) {
    const t = performance.now()
    el.scrollTop = (el.scrollHeight * i) / steps
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
    frames.push((performance.now() - t) / 2)
  }
  return { mean: frames.reduce((a, b) => a + b, 0) / frames.length, worst: Math.max(...frames), rows: el.querySelectorAll('[role=option],[role=treeitem],[role=row]').length }
}`

const CLICK_AND_PAINT = `async (selector) => {
  const t = performance.now()
  document.querySelector(selector).click()
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  return performance.now() - t
}`

describeWith({ commands: ['chromium'] }, 'the window at scale and by keyboard, in Chromium against berth serve', () => {
  let browser: Browser
  let serve: ServeApp
  let dataDir = ''
  let page: Page
  let problems: string[]
  let ui: BerthPage
  const figures: Record<string, unknown> = {}

  beforeAll(async () => {
    dataDir = await tempDir('berth-e2e-uxf-')
    await seedRepositories(dataDir, 2400, { prefix: 'load/service', tagsInFirst: 500 })
    await seedRepositories(dataDir, 500, { prefix: 'team/api' })
    await seedRepositories(dataDir, 98, { prefix: 'repo' })
    execFileSync(process.execPath, [BERTH_BIN, 'policy', 'add', 'nightly', '--name', 'Nightly PR cleanup', '--tags', 'pr-*', '--keep-last', '2', '--gc', '--every', '24', '--on-low-disk', '--data', dataDir])
    serve = await spawnServeApp(['--data', dataDir])
    const url = `http://127.0.0.1:${serve.registryPort}`
    const app = await pushImage(url, 'ci/app', '1.0')
    const bytes = JSON.parse(await (await fetch(`${url}/v2/ci/app/manifests/1.0`)).text())
    for (const t of ['v1.2', 'v1.45', 'v1.400', 'v1.45-rc.1', 'v1.45-rc.10', 'latest', 'pr-1', 'pr-2', 'pr-3', 'pr-10']) await putManifest(url, 'ci/app', t, app.mediaType, bytes)
    await pushImage(url, 'ci/app', null, { created: '2026-10-01T00:00:00Z' })
    await pushCosignSignature(url, 'ci/app', app, 'referrer')
    await pushNotationSignature(url, 'ci/app', app)
    await pushSbomArtifact(url, 'ci/app', app, 'spdx', 1200)
    await pushSbomArtifact(url, 'ci/app', app, 'cyclonedx', 40)
    await pushBuildkitIndex(url, 'ci/web', 'v2.0', 30)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', reducedMotion: 'reduce' })
    problems = watchConsole(page)
    await page.goto(serve.appUrl)
    ui = new BerthPage(page)
    await ui.repositories().getByRole('option').first().waitFor()
    figures.firstListMs = Math.round(await page.evaluate(() => performance.now()))
  }, 300_000)

  afterEach(() => expect(problems).toEqual([]))
  afterAll(async () => {
    console.log(`UX scale figures: ${JSON.stringify(figures)}`)
    await page?.close()
    await browser?.close()
    await serve?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('lists 3,000 repositories smoothly: filter, sort, scroll, tree', async () => {
    await eventually(async () => expect(await page.getByRole('banner').textContent()).toBeTruthy())
    expect(await page.locator('#repositories-title').locator('..').textContent()).toContain('3,000')
    figures.filterMs = Math.round((await page.evaluate(`(${TYPE_AND_PAINT})(["input[aria-label='Search repositories']", "service-0099"])`)) as number)
    expect(await ui.repositories().getByRole('option').count()).toBe(10)
    figures.clearFilterMs = Math.round((await page.evaluate(`(${TYPE_AND_PAINT})(["input[aria-label='Search repositories']", ""])`)) as number)
    figures.listScroll = await page.evaluate(`(${SCROLL_FRAMES})("[data-repository-list]")`)
    await page.getByRole('combobox', { name: 'Sort repositories' }).selectOption('size')
    await page.getByRole('combobox', { name: 'Sort repositories' }).selectOption('name')
    // Natural order: repo-00002 … are zero-padded, so check with names that are not.
    figures.treeMs = Math.round((await page.evaluate(`(${CLICK_AND_PAINT})("[aria-label='Repository view'] button:last-child")`)) as number)
    const tree = page.getByRole('tree', { name: 'Repositories' })
    expect(await tree.getByRole('treeitem').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^ci\//), expect.stringMatching(/^load\/2,400/)]))
    figures.openNamespaceMs = Math.round((await page.evaluate(`(${CLICK_AND_PAINT})("[role=treeitem][aria-label='load/']")`)) as number)
    figures.treeScroll = await page.evaluate(`(${SCROLL_FRAMES})("[data-repository-list]")`)
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 })
      expect(await layoutProblems(page, REGIONS)).toEqual([])
      await shoot(page, `uxf-repositories-tree-${width}`)
    }
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByRole('group', { name: 'Repository view' }).getByRole('button', { name: 'List' }).click()
  })

  it('shows 500 tags: filter, version sort, ticked for a bulk delete', async () => {
    await ui.search('load/service-00001')
    await ui.repository('load/service-00001').click()
    await ui.tagsGrid().getByRole('row').nth(1).waitFor()
    figures.tagsFilterMs = Math.round((await page.evaluate(`(${TYPE_AND_PAINT})(["input[aria-label='Filter tags']", "t04"])`)) as number)
    expect(await page.getByText('100 of 501').count()).toBe(1)
    figures.tagsScroll = await page.evaluate(`(${SCROLL_FRAMES})("[role=grid] [role=rowgroup]:last-child")`)
    await ui.search('ci/app')
    await ui.repository('ci/app').click()
    await ui.tagRow('v1.400').waitFor()
    await page.getByRole('combobox', { name: 'Sort tags' }).selectOption({ label: 'Lowest version' })
    const order = await ui.tagsGrid().getByRole('row').evaluateAll((rows) => rows.slice(1).map((r) => r.getAttribute('aria-label')))
    expect(order.slice(0, 6)).toEqual(['1.0', 'v1.2', 'v1.45-rc.1', 'v1.45-rc.10', 'v1.45', 'v1.400'])
    await page.getByRole('checkbox', { name: 'Select pr-1', exact: true }).check()
    await page.getByRole('checkbox', { name: 'Select pr-2', exact: true }).check()
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 })
      expect(await layoutProblems(page, [...REGIONS, 'Tags toolbar'])).toEqual([])
      await shoot(page, `uxf-tags-${width}`)
    }
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByRole('button', { name: 'Delete 2…' }).click()
    const dialog = page.getByRole('alertdialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('1 image stays, still tagged otherwise.')
    await shoot(page, 'uxf-bulk-delete-confirm')
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: 'Untagged' }).click()
    await page.getByRole('list', { name: 'Untagged manifests of ci/app' }).getByRole('listitem').first().waitFor()
    await shoot(page, 'uxf-untagged-1280')
    await page.getByRole('button', { name: /^Tags / }).click()
  })

  it('shows signatures, SBOMs and provenance on the tag they are about', async () => {
    await ui.openTag('1.0')
    await page.getByRole('list', { name: 'Pull commands' }).waitFor()
    await ui.tab('Signatures & SBOMs')
    await page.getByRole('listitem', { name: 'Signature by dev@example.com' }).first().waitFor()
    expect(await page.getByText('Not verified').count()).toBe(2)
    await page.getByRole('listitem', { name: 'SBOM spdx web' }).getByRole('button', { name: 'Packages' }).click()
    await page.getByRole('region', { name: 'SBOM packages' }).getByText('1,200 packages').waitFor()
    await page.getByRole('searchbox', { name: 'Search packages' }).fill('openssl')
    await page.getByRole('region', { name: 'SBOM packages' }).getByText('1 of 1,200 packages').waitFor()
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 })
      expect(await layoutProblems(page, [...REGIONS, 'Details of ci/app:1.0'])).toEqual([])
      await shoot(page, `uxf-signatures-sboms-${width}`)
    }
    await ui.search('ci/web')
    await ui.repository('ci/web').click()
    await ui.openTag('v2.0')
    await ui.tab('Signatures & SBOMs')
    await page.getByRole('listitem', { name: 'Provenance' }).first().waitFor()
    await shoot(page, 'uxf-provenance-1920')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('shows the saved policy and its dry run in the Storage view, with the sizes list searchable', async () => {
    const main = await ui.openStorage()
    const policy = main.getByRole('listitem', { name: 'Policy Nightly PR cleanup' })
    await policy.waitFor()
    await policy.getByRole('button', { name: 'Dry run' }).click()
    await eventually(async () => expect(await policy.getByLabel('Last run').textContent()).toMatch(/manual, dry run\): would delete 2 tags/))
    await page.getByRole('searchbox', { name: 'Search repository sizes' }).fill('ci/')
    await page.getByRole('list', { name: 'Repository sizes' }).getByRole('listitem', { name: 'ci/app' }).waitFor()
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 1000 })
      await policy.scrollIntoViewIfNeeded()
      expect(await layoutProblems(page, ['Storage'])).toEqual([])
      await shoot(page, `uxf-storage-policies-${width}`)
    }
    await page.setViewportSize({ width: 1280, height: 800 })
    await ui.openCatalog()
  })

  it('goes from search to a bulk delete with the keyboard only', async () => {
    await page.locator('body').click({ position: { x: 5, y: 795 } }).catch(() => {})
    await page.keyboard.press('Escape')
    await page.keyboard.press('/')
    expect(await page.evaluate(`document.activeElement?.getAttribute('aria-label')`)).toBe('Search repositories')
    await page.keyboard.press('Control+A')
    await page.keyboard.type('ci/app')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Home')
    await eventually(async () => expect(await ui.repository('ci/app').getAttribute('aria-selected')).toBe('true'))
    await ui.tagRow('latest').waitFor()
    const focused = () => page.evaluate(`document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''`) as Promise<string>
    const path: string[] = []
    for (let i = 0; i < 40 && (await focused()) !== 'Filter tags'; i++) {
      await page.keyboard.press('Tab')
      path.push(await focused())
    }
    figures.tabsToTagFilter = path.length
    expect(path.join(' → ')).toMatch(/Filter tags$/)
    expect(await focused()).toBe('Filter tags')
    await page.keyboard.type('pr-')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press(' ')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press(' ')
    await page.getByText('2 tags selected').waitFor()
    await shoot(page, 'uxf-keyboard-selection')
    for (let i = 0; i < 30 && !/^Delete 2/.test(await focused()); i++) await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('alertdialog')
    await dialog.waitFor()
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await page.keyboard.press('Enter')
    await dialog.waitFor()
    await page.keyboard.press('Tab')
    expect(await focused()).toMatch(/^Delete 2 tags/)
    await page.keyboard.press('Enter')
    await dialog.waitFor({ state: 'detached' })
    await eventually(async () => expect(await ui.tagsGrid().getByRole('row').count()).toBe(1 + 2))
    // Ctrl+K comes back to the search from anywhere.
    await page.keyboard.press('Control+k')
    expect(await focused()).toBe('Search repositories')
  })

  it('shows a repository left with untagged manifests only as those, pullable by digest, each with delete', async () => {
    const url = `http://127.0.0.1:${serve.registryPort}`
    // Pushed by digest, never tagged: what is left once every tag of a repository is deleted.
    const kept = await pushImage(url, 'ci/orphans', null)
    const gone = await pushImage(url, 'ci/orphans', null, { architecture: 'arm64', bytes: 64 * 1024 })
    await ui.search('ci/orphans')
    await ui.repository('ci/orphans').click()
    const state = page.getByRole('region', { name: 'Untagged manifests only in ci/orphans' })
    await state.waitFor()
    expect(await state.textContent()).toContain('No tags: ci/orphans holds 2 untagged manifests')
    const list = state.getByRole('list', { name: 'Untagged manifests of ci/orphans' })
    expect(await list.getByRole('button', { name: `Copy: docker pull localhost:${serve.registryPort}/ci/orphans@${kept.digest}` }).count()).toBe(1)
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 })
      expect(await layoutProblems(page, [...REGIONS, 'Untagged manifests only in ci/orphans'])).toEqual([])
      // Every row whole, its delete in reach: nothing cut by the pane's edge or the area's height.
      const pane = (await state.boundingBox())!
      for (const button of await list.getByRole('button', { name: /^Delete manifest / }).all()) {
        const box = (await button.boundingBox())!
        expect(box.x + box.width).toBeLessThanOrEqual(pane.x + pane.width)
        expect(box.y + box.height).toBeLessThanOrEqual(pane.y + pane.height)
      }
      await shoot(page, `uxf-untagged-only-${width}`)
    }
    await page.setViewportSize({ width: 1280, height: 800 })
    await list.getByRole('button', { name: `Delete manifest ${gone.digest}…` }).click()
    const dialog = page.getByRole('alertdialog')
    await dialog.getByRole('button', { name: 'Delete manifest' }).click()
    await dialog.waitFor({ state: 'detached' })
    await eventually(async () => expect(await list.getByRole('listitem').count()).toBe(1))
    expect(await state.textContent()).toContain('holds 1 untagged manifest')
  })
})
