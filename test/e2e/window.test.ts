import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { tempDir } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { describeWith, skipUnless } from '../helpers/require'
import { launchChromium, layoutProblems, shoot, watchConsole } from './browser'
import { BerthPage, eventually } from './pages/berth-page'
import { pushMultiPlatformIndex, seedRepositories } from './seed'
import { canHideDocker, spawnServeApp, type ServeApp } from './serve-app'

// The built window in Debian's Chromium against `berth serve` and the real Docker engine: what a new
// user does, from an empty registry to a deleted tag, with screenshots of every screen (light and dark)
// in test/e2e/screenshots/. No console error is allowed in any test.

const VIEW = { width: 1280, height: 800 }
/** dragTo needs source and target on screen; a tall viewport keeps both there (ECOSYSTEM.md pitfall 7). */
const DRAG_VIEW = { width: 1280, height: 1400 }

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim()

describeWith({ docker: true, commands: ['chromium'] }, 'the Berth window in Chromium, against berth serve and Docker', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  async function openPage(url: string, viewport = VIEW): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport, colorScheme: 'light', reducedMotion: 'reduce' })
    const problems = watchConsole(page)
    await page.goto(url)
    return { page, problems }
  }

  describe('a new user: start, push by dragging, find, inspect, pull, retag, delete', () => {
    const APP_10 = 'berth-e2e/app:1.0'
    const APP_11 = 'berth-e2e/app:1.1'
    let serve: ServeApp
    let page: Page
    let problems: string[]
    let ui: BerthPage
    /** `localhost:<port>` as the window shows it; the port changes when the registry restarts. */
    let host = ''
    const hosts = new Set<string>()
    let dataDir = ''

    beforeAll(async () => {
      await buildImage(APP_10, { layers: 2, layerBytes: 2 * 1024 * 1024, message: 'app 1.0' })
      // Big enough for the push to be seen running (random bytes do not compress).
      await buildImage(APP_11, { layers: 3, layerBytes: 24 * 1024 * 1024, message: 'app 1.1' })
      dataDir = await tempDir('berth-e2e-data-')
      serve = await spawnServeApp(['--data', dataDir])
      ;({ page, problems } = await openPage(serve.appUrl))
      ui = new BerthPage(page)
      await ui.registryState().waitFor()
    })

    afterEach(() => {
      expect(problems).toEqual([])
    })

    afterAll(async () => {
      await page?.close()
      await serve?.close()
      // The pushes tagged images for this registry's ports in the engine: leave it as we found it.
      const refs = docker('images', '--format', '{{.Repository}}:{{.Tag}}')
        .split('\n')
        .filter((r) => [...hosts].some((h) => r.startsWith(`${h}/`)))
      execFileSync('docker', ['rmi', '--force', APP_10, APP_11, ...refs], { stdio: 'ignore' })
      if (dataDir) await rm(dataDir, { recursive: true, force: true })
    })

    it('opens on a running, empty registry with the exact commands for its address', async () => {
      await expect(ui.registryState().getAttribute('aria-label')).resolves.toBe('Registry running')
      host = await ui.registryAddress()
      hosts.add(host)
      expect(host).toBe(`localhost:${serve.registryPort}`)
      await page.getByRole('heading', { name: 'Your registry is empty' }).waitFor()
      const commands = await page.getByRole('list', { name: 'Commands to push an image' }).getByRole('listitem').allTextContents()
      expect(commands[0]).toMatch(new RegExp(`docker tag \\S+ ${host}/\\S+`))
      expect(commands[1]).toMatch(new RegExp(`docker push ${host}/\\S+`))
      await ui.localImage(APP_10).waitFor()
      await page.getByRole('status', { name: 'Docker engine reachable' }).waitFor()
      await shoot(page, '01-empty-registry')
    })

    it('stops the registry (one button to start it again) and starts it', async () => {
      await ui.stopRegistry()
      // The button turns to Start as soon as the registry is stopping; the state follows a moment later.
      await eventually(async () => expect(await ui.registryState().getAttribute('aria-label')).toBe('Registry stopped'))
      await page.getByText('The registry is stopped.').waitFor()
      await shoot(page, '02-registry-stopped')
      await ui.startRegistry()
      await eventually(async () => expect(await ui.registryState().getAttribute('aria-label')).toBe('Registry running'))
      await eventually(async () => expect(await ui.registryAddress()).toMatch(/^localhost:\d+$/))
      host = await ui.registryAddress()
      hosts.add(host)
    })

    it('pushes an image dragged onto “New repository”, asking the repository’s name', async () => {
      await page.setViewportSize(DRAG_VIEW)
      await ui.filterImages('berth-e2e/app')
      await ui.localImage(APP_10).dragTo(ui.newRepositoryTarget())
      const dialog = page.getByRole('dialog', { name: 'Push an image' })
      await dialog.waitFor()
      await page.setViewportSize(VIEW)
      const name = dialog.getByLabel('Repository')
      expect(await name.inputValue()).toBe('berth-e2e/app')
      await name.fill('E2E/App')
      await dialog.getByRole('alert').waitFor()
      expect(await dialog.getByRole('alert').textContent()).toContain('A repository name is lowercase')
      await shoot(page, '03-push-dialog-invalid-name')
      await name.fill('e2e/app')
      expect(await dialog.getByLabel('Tag').inputValue()).toBe('1.0')
      expect(await dialog.getByTestId('push-target').textContent()).toBe(`${host}/e2e/app:1.0`)
      await shoot(page, '04-push-dialog-new-repository')
      await dialog.getByRole('button', { name: 'Push', exact: true }).click()
      await ui.waitTransferDone(`Push ${APP_10}`)
      await ui.repository('e2e/app').waitFor()
      await ui.tagRow('1.0').waitFor()
    })

    it('pushes an image dragged onto that repository, with per-layer progress that reaches done', async () => {
      await page.setViewportSize(DRAG_VIEW)
      await ui.localImage(APP_11).dragTo(ui.repository('e2e/app'))
      const dialog = page.getByRole('dialog', { name: 'Push to e2e/app' })
      await dialog.waitFor()
      await page.setViewportSize(VIEW)
      expect(await dialog.getByLabel('Tag').inputValue()).toBe('1.1')
      expect(await dialog.getByTestId('push-target').textContent()).toBe(`${host}/e2e/app:1.1`)
      await shoot(page, '05-push-dialog-on-repository')
      await dialog.getByRole('button', { name: 'Push', exact: true }).click()

      const card = ui.transfer(`Push ${APP_11}`)
      await card.waitFor()
      // Layer bars are shown while it runs; it may already be done on a fast machine.
      if ((await card.getAttribute('data-state')) === 'running') await shoot(page, '06-push-in-progress', 0)
      await ui.waitTransferDone(`Push ${APP_11}`)
      const overall = card.getByRole('progressbar', { name: `Push ${APP_11}: overall progress` })
      expect(await overall.getAttribute('aria-valuenow')).toBe('100')
      expect(await card.textContent()).toContain('100%')
      const layers = Number(docker('image', 'inspect', APP_11, '--format', '{{len .RootFS.Layers}}'))
      await card.getByRole('button', { name: 'Layers' }).click()
      expect(await card.getByRole('progressbar', { name: /^Layer / }).count()).toBe(layers)
      for (const bar of await card.getByRole('progressbar', { name: /^Layer / }).all()) expect(await bar.getAttribute('aria-valuenow')).toBe('100')
      // What was sent and what was skipped, in the registry's sizes: the base came with 1.0, already there.
      expect(await card.getByLabel(/^What moved: /).getAttribute('aria-label')).toMatch(new RegExp(`^What moved: ${layers - 1} pushed \\([\\d.]+ MB\\) · 1 already there \\(1\\.1 MB\\) · image [\\d.]+ MB$`))
      await ui.tagRow('1.1').waitFor()
      await shoot(page, '07-push-done')
    })

    it('finds the new tag and checks its layers, config and history', async () => {
      await ui.search('e2e/a')
      await ui.repository('e2e/app').click()
      await ui.openTag('1.1')
      const layers = Number(docker('image', 'inspect', APP_11, '--format', '{{len .RootFS.Layers}}'))
      const table = page.getByRole('table', { name: 'Layers' })
      await table.waitFor()
      expect(await table.getByRole('row').count()).toBe(layers + 1)
      expect(await table.textContent()).toContain('Docker layer (tar+gzip)')
      const shares = await table.getByRole('meter').evaluateAll((els) => els.map((e) => Number(e.getAttribute('aria-valuenow'))))
      expect(shares.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(98)
      await shoot(page, '08-tag-layers')
      await ui.tab('Config')
      expect(await page.getByRole('tabpanel').textContent()).toContain('["cat","/message.txt"]')
      await shoot(page, '09-tag-config')
      await ui.tab(/^History/)
      expect(await page.getByRole('tabpanel').textContent()).toContain('COPY')
      await ui.search('')
    })

    it('pulls it back into Docker with progress', async () => {
      const ref = `${host}/e2e/app:1.1`
      docker('rmi', ref)
      await ui.action('Pull to Docker').click()
      await ui.waitTransferDone(`Pull ${ref}`)
      expect(docker('image', 'inspect', ref, '--format', '{{.Id}}')).toBe(docker('image', 'inspect', APP_11, '--format', '{{.Id}}'))
      await shoot(page, '10-pull-done')
    })

    it('retags it', async () => {
      await ui.action('Retag…').click()
      const dialog = page.getByRole('dialog', { name: 'Retag or promote' })
      await dialog.getByLabel('New tag').fill('stable')
      await shoot(page, '11-retag-dialog')
      await dialog.getByRole('button', { name: 'Retag', exact: true }).click()
      await ui.tagRow('stable').waitFor()
      await page.getByRole('region', { name: 'Details of e2e/app:stable' }).waitFor()
      expect(await page.getByText(/tags: 1\.1, stable|tags: stable, 1\.1/).count()).toBe(1)
    })

    it('pushes from the keyboard alone, with Push…', async () => {
      await page.getByRole('button', { name: `Push ${APP_10}…` }).focus()
      await page.keyboard.press('Enter')
      const dialog = page.getByRole('dialog', { name: 'Push an image' })
      await dialog.waitFor()
      // The repository field has the focus: replace the suggestion, then Tab to the tag.
      await page.keyboard.press('ControlOrMeta+a')
      await page.keyboard.type('e2e/app')
      await page.keyboard.press('Tab')
      await page.keyboard.press('ControlOrMeta+a')
      await page.keyboard.type('1.0-keyboard')
      expect(await dialog.getByTestId('push-target').textContent()).toBe(`${host}/e2e/app:1.0-keyboard`)
      await page.keyboard.press('Enter')
      await ui.waitTransferDone(`Push ${APP_10}`)
      await ui.tagRow('1.0-keyboard').waitFor()
    })

    it('shows the registry settings', async () => {
      await page.getByRole('button', { name: 'Settings' }).click()
      const dialog = page.getByRole('dialog', { name: 'Registry settings' })
      await dialog.getByLabel('Data folder').waitFor()
      expect(await dialog.getByLabel('Data folder').inputValue()).toBe(dataDir)
      await shoot(page, '22-settings')
      await page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'detached' })
    })

    it('shows an image another client pushed, live: an index with its platforms, attestations apart', async () => {
      await pushMultiPlatformIndex(`http://127.0.0.1:${host.split(':')[1]}`, 'e2e/web', '3.0')
      await ui.repository('e2e/web').click()
      const row = ui.tagRow('3.0')
      expect(await row.textContent()).toContain('linux: amd64, arm64')
      await page.getByRole('tab', { name: 'Platforms (2)' }).waitFor()
      expect(await page.getByRole('list', { name: 'Build attestations' }).getByRole('listitem').count()).toBe(2)
      expect(await page.getByText('unknown/unknown').count()).toBe(0)
      await shoot(page, '12-index-platforms')
      await page.getByRole('list', { name: 'Platforms' }).getByRole('button', { name: /linux\/arm64/ }).click()
      await page.getByRole('button', { name: 'Back to e2e/web:3.0' }).waitFor()
      await page.getByRole('table', { name: 'Layers' }).waitFor()
      await shoot(page, '13-index-child')
    })

    it('shows an action’s failure in its dialog, readable, with the fix', async () => {
      await ui.repository('e2e/app').click()
      await ui.openTag('1.1')
      await ui.action('Run…').click()
      const dialog = page.getByRole('dialog', { name: 'Run a container' })
      await dialog.getByLabel('Network (optional)').fill('berth-e2e-no-such-network')
      await dialog.getByRole('button', { name: 'Run', exact: true }).click()
      const alert = dialog.getByRole('alert')
      await alert.waitFor()
      expect(await alert.textContent()).toMatch(/The container did not start.*berth-e2e-no-such-network/)
      await shoot(page, '14-action-error')
      await dialog.getByRole('button', { name: 'Cancel' }).click()
    })

    it('deletes the tag, then the manifest, each confirmation saying what goes', async () => {
      await ui.openTag('stable')
      let dialog = await ui.deleteFromMenu('Delete tag…')
      expect(await dialog.textContent()).toContain('The image stays, still tagged 1.1.')
      await shoot(page, '15-delete-tag-confirm')
      await dialog.getByRole('button', { name: 'Delete tag' }).click()
      await eventually(async () => expect(await ui.tagRow('stable').count()).toBe(0))

      await ui.openTag('1.1')
      dialog = await ui.deleteFromMenu('Delete manifest…')
      expect(await dialog.textContent()).toMatch(/with its tag/)
      await shoot(page, '16-delete-manifest-confirm')
      await dialog.getByRole('button', { name: 'Delete manifest' }).click()
      await eventually(async () => expect(await ui.tagRow('1.1').count()).toBe(0))
      // The list refetches after the delete: 1.0 is back once it has.
      await eventually(async () => expect(await ui.tagRow('1.0').count()).toBe(1))
    })

    it('at 1920×1080 nothing scrolls sideways, the regions show and no text is cut without a way to read it', async () => {
      await page.setViewportSize({ width: 1920, height: 1080 })
      await ui.openTag('1.0')
      expect(await layoutProblems(page, ['Repositories', 'Local images', 'Details of e2e/app:1.0'])).toEqual([])
      await shoot(page, '17-full-hd')
      await page.setViewportSize(VIEW)
    })
  })

  describe('scale: 2,000 repositories, one with 1,000 tags', () => {
    let serve: ServeApp
    let page: Page
    let problems: string[]
    let ui: BerthPage
    let dataDir: string

    beforeAll(async () => {
      dataDir = await tempDir('berth-e2e-many-')
      await seedRepositories(dataDir, 2000, { tagsInFirst: 1000 })
      serve = await spawnServeApp(['--data', dataDir])
    })
    afterEach(() => expect(problems).toEqual([]))
    afterAll(async () => {
      await page?.close()
      await serve?.close()
      if (dataDir) await rm(dataDir, { recursive: true, force: true })
    })

    it('shows a loading state, then 2,000 repositories as a few rows, filtered as you type', async () => {
      const opened = await browser.newPage({ viewport: VIEW, colorScheme: 'light', reducedMotion: 'reduce' })
      page = opened
      problems = watchConsole(page)
      ui = new BerthPage(page)
      // Hold the first catalog answer back a moment to see what a slow, big catalog looks like.
      let release: () => void = () => {}
      const held = new Promise<void>((r) => (release = r))
      await page.route('**/api/catalog.repositories', async (route) => {
        await held
        await route.continue()
      })
      await page.goto(serve.appUrl)
      await page.getByRole('status', { name: 'Loading repositories' }).waitFor()
      await shoot(page, '18-loading-repositories')
      release()
      await ui.repository('load/service-00001').waitFor()
      await page.unroute('**/api/catalog.repositories')
      expect(await page.getByText('2,000', { exact: true }).count()).toBe(1)
      const rendered = await ui.repositories().getByRole('option').count()
      expect(rendered).toBeLessThan(60)

      const started = Date.now()
      await ui.search('service-0199')
      await eventually(async () => expect(await ui.repositories().getByRole('option').count()).toBe(10), 5000)
      const filterMs = Date.now() - started
      expect(filterMs).toBeLessThan(2000)
      expect(await page.getByText('10 of 2,000').count()).toBe(1)
      await shoot(page, '19-filter-2000')

      await ui.search('')
      await ui.repositories().focus()
      await page.keyboard.press('End')
      await ui.repository('load/service-02000').waitFor()
      expect(await ui.repository('load/service-02000').getAttribute('aria-selected')).toBe('true')
    })

    it('shows 1,000 tags of a repository as a few rows, sortable', async () => {
      await ui.repositories().focus()
      await page.keyboard.press('Home')
      const grid = ui.tagsGrid()
      // 1,000 tags t0000… plus the v1 every seeded repository has, plus the header row.
      await eventually(async () => expect(await grid.getAttribute('aria-rowcount')).toBe('1002'))
      expect(await grid.getByRole('row').count()).toBeLessThan(60)
      // Sorting keeps the open tag in view; Home goes to (and opens) the first row of the new order.
      const first = () => grid.locator('[role=row][aria-rowindex="2"]').getAttribute('aria-label', { timeout: 1000 })
      await grid.getByRole('button', { name: 'Sort by tag' }).click()
      await grid.focus()
      await page.keyboard.press('Home')
      await eventually(async () => expect(await first()).toBe('t0000'))
      await grid.getByRole('button', { name: 'Sort by tag' }).click()
      await grid.focus()
      await page.keyboard.press('Home')
      await eventually(async () => expect(await first()).toBe('v1'))
      await page.keyboard.press('End')
      await page.getByRole('region', { name: 'Details of load/service-00001:t0000' }).waitFor()
      await shoot(page, '20-thousand-tags')
    })
  })

  describe('Docker engine unreachable', () => {
    let serve: ServeApp | undefined
    let page: Page | undefined
    let problems: string[] = []
    let dataDir = ''

    afterAll(async () => {
      await page?.close()
      await serve?.close()
      if (dataDir) await rm(dataDir, { recursive: true, force: true })
    })

    it('says what was tried and how to fix it, and keeps the registry browsable', async (ctx) => {
      skipUnless(ctx, await canHideDocker(), 'root and unshare, to hide /var/run/docker.sock from berth serve')
      dataDir = await tempDir('berth-e2e-nodocker-')
      await seedRepositories(dataDir, 3, { prefix: 'team/service' })
      serve = await spawnServeApp(['--data', dataDir], { hideDocker: true })
      ;({ page, problems } = await openPage(serve.appUrl))
      const ui = new BerthPage(page)
      await page.getByRole('status', { name: 'Docker engine unreachable' }).waitFor()
      const alert = page.getByRole('alert').filter({ hasText: 'Docker engine unreachable' })
      expect(await alert.textContent()).toContain('sudo systemctl start docker')
      expect(await page.getByText('unix:///var/run/docker.sock').count()).toBeGreaterThan(0)
      await ui.repository('team/service-00002').click()
      await page.getByRole('region', { name: 'Details of team/service-00002:v1' }).waitFor()
      await shoot(page, '21-docker-unreachable')
      expect(problems).toEqual([])
    })
  })
})
