import { execFileSync } from 'node:child_process'
import { chmod, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { tempDir } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { canUseNetns, createNetns, type Netns } from '../helpers/loopback-netns'
import { describeWith } from '../helpers/require'
import { launchChromium, shoot, watchConsole } from './browser'
import { BerthPage } from './pages/berth-page'
import { spawnServeApp, type ServeApp } from './serve-app'

// The window when Docker cannot reach the registry (as when it runs in a VM): `berth serve` and
// Chromium both run in a network namespace of their own, the engine outside it. Dragging an image
// onto the window and Pull to Docker must work all the same — by export and load.

const VIEW = { width: 1280, height: 800 }
const DRAG_VIEW = { width: 1280, height: 1400 }
const APP = 'berth-vm-e2e/app:1.0'
const MESSAGE = 'pushed and pulled without the engine reaching Berth'
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim()

describeWith({ docker: true, commands: ['chromium', 'ip'] }, 'the window with Berth in a network the engine cannot reach', () => {
  let ns: Netns
  let serve: ServeApp
  let browser: Browser
  let page: Page
  let problems: string[]
  let ui: BerthPage
  let dataDir = ''
  let wrapperDir = ''
  let host = ''
  let imageId = ''

  beforeAll(async () => {
    if (!canUseNetns()) throw new Error('this test needs root and `ip netns` (apt-get install -y iproute2)')
    await buildImage(APP, { layers: 2, layerBytes: 3 * 1024 * 1024, message: MESSAGE })
    imageId = docker('image', 'inspect', APP, '--format', '{{.Id}}')
    ns = await createNetns()
    dataDir = await tempDir('berth-vm-e2e-data-')
    serve = await spawnServeApp(['--data', dataDir], { netns: ns.name })
    // Chromium in the same namespace: the app's 127.0.0.1 is only there.
    wrapperDir = await tempDir('berth-vm-e2e-chromium-')
    const wrapper = join(wrapperDir, 'chromium-in-netns')
    await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.name} /usr/bin/chromium "$@"\n`)
    await chmod(wrapper, 0o755)
    browser = await launchChromium({ executablePath: wrapper })
    page = await browser.newPage({ viewport: VIEW, colorScheme: 'light', reducedMotion: 'reduce' })
    problems = watchConsole(page)
    await page.goto(serve.appUrl)
    ui = new BerthPage(page)
    await ui.registryState().waitFor()
    host = await ui.registryAddress()
  })

  afterEach(() => {
    expect(problems).toEqual([])
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.close()
    await ns?.remove().catch(() => {})
    const refs = docker('images', '--format', '{{.Repository}}:{{.Tag}}').split('\n').filter((r) => r.startsWith('berth-vm-e2e/') || (host && r.startsWith(`${host}/`)))
    if (refs.length > 0) execFileSync('docker', ['rmi', '-f', ...refs], { stdio: 'ignore' })
    if (imageId) execFileSync('docker', ['rmi', '-f', imageId], { stdio: 'ignore' })
    for (const dir of [dataDir, wrapperDir]) if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('the engine cannot push there itself', () => {
    expect(host).toMatch(/^localhost:\d+$/)
    docker('tag', APP, `${host}/vm/refused:1`)
    expect(() => execFileSync('docker', ['push', `${host}/vm/refused:1`], { stdio: 'pipe' })).toThrow(/connection refused/)
    docker('rmi', `${host}/vm/refused:1`)
  })

  it('an image dragged onto the window is pushed by export, and the card says so', async () => {
    await page.setViewportSize(DRAG_VIEW)
    await ui.filterImages('berth-vm-e2e/app')
    await ui.localImage(APP).dragTo(ui.newRepositoryTarget())
    const dialog = page.getByRole('dialog', { name: 'Push an image' })
    await dialog.waitFor()
    await page.setViewportSize(VIEW)
    await dialog.getByLabel('Repository').fill('vm/app')
    await dialog.getByRole('button', { name: 'Push', exact: true }).click()
    const card = await ui.waitTransferDone(`Push ${APP}`)
    await card.getByLabel('Path: by export, uncompressed').waitFor()
    await ui.repository('vm/app').waitFor()
    await ui.tagRow('1.0').waitFor()
    await shoot(page, 'vm-01-pushed-by-export')

    await ui.openTag('1.0')
    const table = page.getByRole('table', { name: 'Layers' })
    await table.waitFor()
    const layers = Number(docker('image', 'inspect', APP, '--format', '{{len .RootFS.Layers}}'))
    expect(await table.getByRole('row').count()).toBe(layers + 1)
    expect(await table.getByRole('cell', { name: 'uncompressed', exact: true }).count()).toBe(layers)
    await shoot(page, 'vm-02-layers-uncompressed')
  })

  it('Pull to Docker loads it into the engine: the same image, and it runs', async () => {
    execFileSync('docker', ['rmi', '-f', imageId], { stdio: 'ignore' })
    const ref = `${host}/vm/app:1.0`
    await ui.action('Pull to Docker').click()
    const card = await ui.waitTransferDone(`Pull ${ref}`)
    await card.getByLabel('Path: by load').waitFor()
    expect(docker('image', 'inspect', ref, '--format', '{{.Id}}')).toBe(imageId)
    expect(docker('run', '--rm', '--network', 'none', ref)).toBe(MESSAGE)
    await card.getByRole('button', { name: 'Layers' }).click()
    await shoot(page, 'vm-03-pulled-by-load')
  })
})
