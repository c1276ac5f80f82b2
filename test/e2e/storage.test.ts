import { execFileSync } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { tempDir } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { describeWith } from '../helpers/require'
import { launchChromium, layoutProblems, shoot, watchConsole } from './browser'
import { BerthPage, eventually } from './pages/berth-page'
import { spawnServeApp, type ServeApp } from './serve-app'

// The storage view in Debian's Chromium against `berth serve` and the real Docker engine: push with
// docker, delete the tag, see what the data folder holds, dry-run a collection, collect, see the space
// come back; then import a `docker save` tarball dropped onto the window (uploaded over HTTP).

const VIEW = { width: 1280, height: 800 }
const GONE = 'berth-e2e/storage-gone:1.0'
const KEPT = 'berth-e2e/storage-kept:1.0'
/** Two random layers of this size in GONE: what a collection must at least free once its tag is gone. */
const LAYER_BYTES = 3 * 1024 * 1024

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim()

/** A port free right now (for a registry that must keep its port across restarts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** "12.3 MB" (lib/format.ts, SI units) → bytes, roughly. */
function parseBytes(text: string): number {
  const m = /^([\d.]+) (B|kB|MB|GB|TB)$/.exec(text.trim())
  if (!m) throw new Error(`not a size: ${JSON.stringify(text)}`)
  return Number(m[1]) * 1000 ** ['B', 'kB', 'MB', 'GB', 'TB'].indexOf(m[2])
}

describeWith({ docker: true, commands: ['chromium'] }, 'the storage view in Chromium, against berth serve and Docker', () => {
  let browser: Browser
  let serve: ServeApp
  let page: Page
  let problems: string[]
  let ui: BerthPage
  let dataDir = ''
  let workDir = ''
  let host = ''
  let totalBefore = 0
  let freed = ''

  beforeAll(async () => {
    await buildImage(GONE, { layers: 2, layerBytes: LAYER_BYTES, message: 'storage gone' })
    await buildImage(KEPT, { layers: 1, layerBytes: 256 * 1024, message: 'storage kept' })
    dataDir = await tempDir('berth-e2e-storage-')
    workDir = await tempDir('berth-e2e-storage-work-')
    // A fixed port (the last --port wins over spawnServeApp's --port 0): with port 0 the saved settings
    // hold port 0, which Settings refuses (min 1), so storage.move and storage.open failed to save the
    // new folder. Reported to the service side; the move test below shows it when run with --port 0.
    serve = await spawnServeApp(['--data', dataDir, '--port', String(await freePort())])
    host = `localhost:${serve.registryPort}`
    // Pushed by docker itself, as any client would.
    for (const [image, target] of [
      [GONE, `${host}/e2e/gone:1.0`],
      [KEPT, `${host}/e2e/kept:1.0`]
    ]) {
      docker('tag', image, target)
      docker('push', '--quiet', target)
    }
    browser = await launchChromium()
    page = await browser.newPage({ viewport: VIEW, colorScheme: 'light', reducedMotion: 'reduce' })
    problems = watchConsole(page)
    ui = new BerthPage(page)
    await page.goto(serve.appUrl)
    await ui.repository('e2e/gone').waitFor()
  })

  afterEach(() => {
    expect(problems).toEqual([])
  })

  afterAll(async () => {
    await page?.close()
    await browser?.close()
    await serve?.close()
    const refs = docker('images', '--format', '{{.Repository}}:{{.Tag}}')
      .split('\n')
      .filter((r) => r.startsWith(`${host}/`))
    execFileSync('docker', ['rmi', '--force', GONE, KEPT, ...refs], { stdio: 'ignore' })
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
    if (workDir) await rm(workDir, { recursive: true, force: true })
  })

  it('shows what the data folder holds: totals, free space, per repository unique and shared bytes', async () => {
    const storage = await ui.openStorage()
    const tiles = storage.getByRole('list', { name: 'Repositories by size' }).getByRole('listitem')
    await eventually(async () => expect(await tiles.count()).toBe(2))
    expect(await tiles.first().getAttribute('aria-label')).toMatch(/^e2e\/gone: [\d.]+ MB, [\d.]+ MB unique, [\d.]+ [kM]?B shared$/)
    const sizes = storage.getByRole('list', { name: 'Repository sizes' })
    expect(await sizes.getByRole('listitem', { name: 'e2e/kept' }).textContent()).toContain('1 tag')
    totalBefore = parseBytes(await ui.usageFigure('Total on disk'))
    expect(totalBefore).toBeGreaterThan(2 * LAYER_BYTES)
    expect(parseBytes(await ui.usageFigure('Free space'))).toBeGreaterThan(0)
    expect(await storage.getByRole('group', { name: 'Manifests' }).textContent()).toContain('all tagged')
    expect(await ui.storageCard('Data folder').textContent()).toContain(dataDir)
    await shoot(page, '23-storage-usage')
  })

  it('after the tag is deleted, shows its manifest as untagged', async () => {
    await ui.openCatalog()
    await ui.repository('e2e/gone').click()
    await ui.openTag('1.0')
    const dialog = await ui.deleteFromMenu('Delete tag…')
    await dialog.getByRole('button', { name: 'Delete tag' }).click()
    await eventually(async () => expect(await ui.tagRow('1.0').count()).toBe(0))
    const storage = await ui.openStorage()
    await eventually(async () => expect(await storage.getByRole('group', { name: 'Manifests' }).textContent()).toContain('1 untagged'))
  })

  it('a dry run (with untagged manifests) lists what would go and the bytes it frees, deleting nothing', async () => {
    const gc = ui.storageCard('Garbage collection')
    await gc.getByRole('checkbox', { name: /Also delete untagged manifests/ }).check()
    await gc.getByRole('button', { name: 'Dry run' }).click()
    const summary = gc.getByText(/^Dry run: a collection would free /)
    await summary.waitFor()
    const m = /^Dry run: a collection would free (.+?): (\d+) blobs?, 1 manifest$/.exec((await summary.textContent()) ?? '')
    expect(m, `summary: ${await summary.textContent()}`).not.toBeNull()
    freed = m![1]
    expect(parseBytes(freed)).toBeGreaterThanOrEqual(2 * LAYER_BYTES)
    const rows = gc.getByRole('table', { name: 'What a collection would delete' }).getByRole('row')
    expect(await rows.count()).toBe(Number(m![2]) + 1 + 1)
    // Nothing went: the picture is the same.
    expect(parseBytes(await ui.usageFigure('Total on disk'))).toBe(totalBefore)
    await shoot(page, '24-storage-dry-run')
  })

  it('collects after a confirmation that says what goes; the registry keeps running; the usage updates', async () => {
    const gc = ui.storageCard('Garbage collection')
    await gc.getByRole('button', { name: 'Collect…' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Collect garbage?' })
    await confirm.waitFor()
    expect(await confirm.textContent()).toContain(`freeing ${freed}`)
    await shoot(page, '25-storage-collect-confirm')
    await confirm.getByRole('button', { name: 'Collect', exact: true }).click()
    const result = gc.getByText(/^Freed /)
    await result.waitFor({ timeout: 60_000 })
    expect(await result.textContent()).toMatch(new RegExp(`^Freed ${freed.replace('.', '\\.')}: \\d+ blobs?, 1 manifest$`))
    expect(await ui.registryState().getAttribute('aria-label')).toBe('Registry running')
    const storage = page.getByRole('main', { name: 'Storage' })
    await eventually(async () => expect(parseBytes(await ui.usageFigure('Total on disk'))).toBeLessThan(totalBefore - 2 * LAYER_BYTES + 1))
    await eventually(async () => expect(await storage.getByRole('group', { name: 'Manifests' }).textContent()).toContain('all tagged'))
    await eventually(async () => expect(await storage.getByRole('group', { name: 'Unreferenced blobs' }).textContent()).toContain('nothing to collect'))
    // The other repository still pulls.
    const kept = `${host}/e2e/kept:1.0`
    docker('rmi', kept)
    docker('pull', '--quiet', kept)
    await shoot(page, '26-storage-collected')
  })

  it('at 1920×1080 nothing scrolls sideways, the storage view shows whole and no text is cut without a way to read it', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 })
    expect(await layoutProblems(page, ['Storage'])).toEqual([])
    await shoot(page, '27-storage-full-hd')
    await page.setViewportSize(VIEW)
  })

  it('says in one sentence that a typed archive is not there, with no form field', async () => {
    const card = ui.storageCard('Export and import')
    await card.getByLabel('Archive or folder').fill('/srv/no-such-archive.tar')
    await card.getByRole('button', { name: 'Import…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Import images' })
    await dialog.getByRole('alert').waitFor()
    expect(await dialog.getByRole('alert').textContent()).toBe('There is no file or folder at /srv/no-such-archive.tar; check the path.')
    expect(await dialog.getByRole('textbox').count()).toBe(0)
    await shoot(page, '28-storage-import-missing-file')
    await dialog.getByText('Close', { exact: true }).click()
    await dialog.waitFor({ state: 'detached' })
    await card.getByLabel('Archive or folder').fill('')
  })

  it('imports a docker save .tar dropped onto the window (uploaded, previewed, then imported without Docker)', async () => {
    const tar = join(workDir, 'kept.tar')
    docker('save', '--output', tar, KEPT)
    const b64 = (await readFile(tar)).toString('base64')
    const dataTransfer = await page.evaluateHandle((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
      // Runs in the page (DOM types are not in this project's lib).
      const dt = new (globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } }).DataTransfer()
      dt.items.add(new File([bytes], 'kept.tar', { type: 'application/x-tar' }))
      return dt
    }, b64)
    const target = page.getByRole('main', { name: 'Storage' })
    await target.dispatchEvent('dragenter', { dataTransfer })
    await page.getByText('Drop to import into the registry').waitFor()
    await target.dispatchEvent('drop', { dataTransfer })
    const dialog = page.getByRole('dialog', { name: 'Import images' })
    await dialog.waitFor()
    // First what it holds and where it goes (pushed as e2e/kept above, its own name is new here).
    const held = dialog.getByRole('list', { name: 'Images in the archive' })
    await held.waitFor({ timeout: 60_000 })
    expect(await held.getByRole('listitem').evaluateAll((items) => items.map((i) => i.getAttribute('aria-label')))).toEqual([`${KEPT}: new repository`])
    expect(await dialog.textContent()).toMatch(/A docker save archive, [\d.]+ [kM]B: 1 image\. Nothing is imported yet\./)
    for (const width of [1024, 1920]) {
      await page.setViewportSize({ width, height: 800 })
      expect(await layoutProblems(page, ['What the archive holds'])).toEqual([])
      await shoot(page, `28-storage-import-preview-${width}`)
    }
    await page.setViewportSize(VIEW)
    await dialog.getByRole('button', { name: 'Import 1 image' }).click()
    await dialog.getByText(/^Imported 1 image: /).waitFor({ timeout: 60_000 })
    expect(await dialog.getByRole('list', { name: 'Imported images' }).locator('code').allTextContents()).toEqual(['berth-e2e/storage-kept:1.0'])
    await shoot(page, '28-storage-import-dropped')
    await dialog.getByRole('button', { name: 'Done' }).click()
    await eventually(async () => expect(await page.getByRole('list', { name: 'Repositories by size' }).getByRole('listitem', { name: /^berth-e2e\/storage-kept: / }).count()).toBe(1))
  })

  it('previews a retention rule, then deletes exactly the previewed tag', async () => {
    const card = ui.storageCard('Retention')
    await card.getByLabel('Repositories').fill('berth-e2e/*')
    await card.getByLabel('Keep last').fill('0')
    await card.getByRole('button', { name: 'Preview' }).click()
    await card.getByText('1 tag in 1 repository would go').waitFor()
    const rows = card.getByRole('table', { name: 'Tags the rule would delete' }).getByRole('row')
    expect(await rows.count()).toBe(2)
    expect(await rows.nth(1).textContent()).toContain('berth-e2e/storage-kept1.0')
    await card.scrollIntoViewIfNeeded()
    await shoot(page, '29-storage-retention-preview')
    await card.getByRole('button', { name: 'Delete this tag' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Delete 1 tag?' })
    await confirm.getByRole('button', { name: 'Delete 1 tag' }).click()
    await card.getByText('Deleted 1 tag').waitFor()
    const storage = page.getByRole('main', { name: 'Storage' })
    await eventually(async () => expect(await storage.getByRole('list', { name: 'Repository sizes' }).getByRole('listitem', { name: 'berth-e2e/storage-kept' }).textContent()).toContain('0 tags'))
  })

  it('verifies every blob: in progress (buttons disabled), then the report', async () => {
    const card = ui.storageCard('Verify')
    // Hold the call a moment to see the running state (it takes milliseconds here).
    let release: () => void = () => {}
    const held = new Promise<void>((r) => (release = r))
    await page.route('**/api/storage.verify', async (route) => {
      await held
      await route.continue()
    })
    await card.getByRole('button', { name: 'Verify blobs' }).click()
    const running = card.getByRole('button', { name: 'Verifying…' })
    await running.waitFor()
    expect(await running.isDisabled()).toBe(true)
    expect(await card.getByRole('progressbar').count()).toBe(1)
    await card.scrollIntoViewIfNeeded()
    // The call is held: the running state stays while both colour schemes settle.
    await shoot(page, '30-storage-verify-running')
    release()
    await card.getByText(/^Checked \d+ blobs \(.+\): all intact$/).waitFor()
    await page.unroute('**/api/storage.verify')
    await shoot(page, '31-storage-verified')
  })

  it('inspects a folder before opening it, and says why one cannot be used', async () => {
    await ui.storageCard('Data folder').getByRole('button', { name: 'Open another folder…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Open another data folder' })
    await dialog.getByLabel('Folder').fill(join(workDir, 'kept.tar'))
    await dialog.getByRole('button', { name: 'Inspect' }).click()
    await dialog.getByRole('alert').waitFor()
    expect(await dialog.getByRole('alert').textContent()).toContain('is a file, not a folder')
    await shoot(page, '32-storage-open-folder-error')
    await dialog.getByLabel('Folder').fill(dataDir)
    await dialog.getByRole('button', { name: 'Inspect' }).click()
    await dialog.getByText(/^Registry data: 3 repositories, /).waitFor()
    expect(await dialog.textContent()).toContain('This is the folder the registry serves now.')
    expect(await dialog.getByRole('button', { name: 'Open this folder' }).isDisabled()).toBe(true)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
  })

  it('lists Docker volumes that hold registry data', async () => {
    const card = ui.storageCard('Data folder')
    await card.getByRole('button', { name: 'Find registry volumes' }).click()
    await card.getByRole('list', { name: 'Docker volumes' }).or(card.getByText('No Docker volume holds registry data')).first().waitFor()
    await card.scrollIntoViewIfNeeded()
    await shoot(page, '33-storage-docker-volumes')
  })

  it('deletes a repository from the list, collecting at once', async () => {
    const storage = page.getByRole('main', { name: 'Storage' })
    await storage.getByRole('button', { name: 'Delete repository e2e/gone…' }).click()
    const dialog = page.getByRole('alertdialog', { name: 'Delete repository e2e/gone?' })
    expect(await dialog.textContent()).toContain('It has no tag')
    expect(await dialog.getByRole('checkbox', { name: /Collect garbage now/ }).isChecked()).toBe(true)
    await shoot(page, '38-storage-delete-repository')
    await dialog.getByRole('button', { name: 'Delete repository' }).click()
    // exact: the toast's live-region announcement holds the same words inside a longer text.
    await page.getByText('Deleted e2e/gone: 0 tags', { exact: true }).waitFor()
    await eventually(async () => expect(await storage.getByRole('list', { name: 'Repository sizes' }).getByRole('listitem', { name: 'e2e/gone' }).count()).toBe(0))
    await ui.openCatalog()
    await eventually(async () => expect(await ui.repository('e2e/gone').count()).toBe(0))
    await ui.openStorage()
  })

  it('shows a loading state, then warns when the volume runs low on space', async () => {
    // The real answer, held a moment (loading), then reported as if the disk were nearly full.
    let release: () => void = () => {}
    const held = new Promise<void>((r) => (release = r))
    await page.route('**/api/storage.usage', async (route) => {
      await held
      const res = await route.fetch()
      const body = await res.json()
      body.result = { ...body.result, lowSpace: true, volume: { totalBytes: 256_000_000_000, freeBytes: 1_400_000_000 } }
      await route.fulfill({ response: res, json: body })
    })
    await ui.openCatalog()
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Storage' }).click()
    // The picture stays while it refreshes; a fresh window shows the skeleton instead.
    release()
    const alert = page.getByRole('main', { name: 'Storage' }).getByRole('alert').filter({ hasText: 'Low disk space' })
    await alert.waitFor()
    expect(await alert.textContent()).toContain('Low disk space: 1.4 GB free of 256 GB')
    await shoot(page, '36-storage-low-space')
    await page.unroute('**/api/storage.usage')
    await page.getByRole('button', { name: 'Refresh usage' }).click()
    await eventually(async () => expect(await alert.count()).toBe(0))

    const fresh = await browser.newPage({ viewport: VIEW, colorScheme: 'light', reducedMotion: 'reduce' })
    const freshProblems = watchConsole(fresh)
    let letGo: () => void = () => {}
    const hold = new Promise<void>((r) => (letGo = r))
    await fresh.route('**/api/storage.usage', async (route) => {
      await hold
      await route.continue()
    })
    await fresh.goto(serve.appUrl)
    await fresh.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Storage' }).click()
    await fresh.getByRole('status', { name: 'Loading storage usage' }).waitFor()
    await shoot(fresh, '37-storage-loading')
    letGo()
    await fresh.getByRole('group', { name: 'Total on disk' }).waitFor()
    await fresh.close()
    expect(freshProblems).toEqual([])
  })

  it('moves the data folder, verified, and says the old one is kept', async () => {
    const target = join(workDir, 'moved')
    await ui.storageCard('Data folder').getByRole('button', { name: 'Move…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Move the data folder' })
    expect(await dialog.textContent()).toContain('The old folder is kept')
    await dialog.getByLabel('New folder').fill(target)
    await shoot(page, '34-storage-move-dialog')
    await dialog.getByRole('button', { name: 'Move', exact: true }).click()
    const moved = dialog.getByText(/^Moved .+ \(\d+ files\)$/)
    await moved.or(dialog.getByRole('alert')).first().waitFor({ timeout: 60_000 })
    if (!(await moved.isVisible())) throw new Error(`the move failed: ${await dialog.getByRole('alert').textContent()}`)
    expect(await dialog.textContent()).toContain(`The old folder ${dataDir} is kept`)
    await shoot(page, '35-storage-moved')
    await dialog.getByRole('button', { name: 'Done' }).click()
    await eventually(async () => expect(await ui.storageCard('Data folder').textContent()).toContain(target))
    await eventually(async () => expect(await ui.registryState().getAttribute('aria-label')).toBe('Registry running'))
    await ui.openCatalog()
    await ui.repository('e2e/kept').waitFor()
  })
})
