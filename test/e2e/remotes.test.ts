import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { tempDir } from '../helpers/berth'
import { BASE_IMAGE, ensureBaseImage } from '../helpers/images'
import { getManifest } from '../helpers/registry-http'
import { remoteDigest, startHtpasswdDistribution, type AuthDistribution } from '../helpers/remote'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { launchChromium, layoutProblems, shoot } from './browser'
import { eventually, openBerth, type BerthPage } from './pages/berth-page'
import { pushMultiPlatformIndex } from './seed'
import { spawnServeApp, type ServeApp } from './serve-app'

// Remote registries in the window, against a real second registry on loopback: Distribution 2.8.2
// with auth.htpasswd (htpasswd -B). Added from the window (tried first: 401 explained), browsed with
// the catalog's own views, a tag copied there from the catalog and one copied back, each a transfer
// card, the digests the same on both sides.

const VIEW = { width: 1280, height: 800 }

describeWith({ docker: true, commands: ['chromium', 'docker-registry', 'htpasswd', 'skopeo'] }, 'remote registries in Chromium, against Distribution with accounts', () => {
  let remote: AuthDistribution
  let serve: ServeApp
  let browser: Browser
  let page: Page
  let problems: string[]
  let ui: BerthPage
  let dataDir = ''
  let dockerConfig = ''
  let local = ''
  const address = () => `127.0.0.1:${remote.port}`

  beforeAll(async () => {
    await ensureBaseImage()
    remote = await startHtpasswdDistribution('carol', 'team-registry-pass-1')
    dataDir = await tempDir('berth-remotes-e2e-data-')
    // No docker login of this machine may answer for the window: only what is typed in.
    dockerConfig = await tempDir('berth-remotes-e2e-docker-')
    await writeFile(join(dockerConfig, 'config.json'), '{}')
    serve = await spawnServeApp(['--data', dataDir], { env: { ...process.env, DOCKER_CONFIG: dockerConfig } })
    local = `http://127.0.0.1:${serve.registryPort}`
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-daemon:${BASE_IMAGE}`, `docker://127.0.0.1:${serve.registryPort}/team/app:1.0`])
    await pushMultiPlatformIndex(local, 'team/web', '2.0')
    browser = await launchChromium()
    ;({ page, ui, problems } = await openBerth(browser, serve.appUrl))
  })

  afterEach(() => {
    expect(problems).toEqual([])
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.close()
    await remote?.close()
    for (const dir of [dataDir, dockerConfig]) if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('adds the registry from the window: tried first, the 401 explained, then saved with its account', async () => {
    await ui.openView('Remotes')
    const main = page.getByRole('main', { name: 'Remote repository' })
    await main.getByText('No other registry yet').waitFor()
    await shoot(page, 'remotes-empty')
    await main.getByRole('button', { name: 'Add a registry…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add a registry' })
    await dialog.getByRole('textbox', { name: 'Address' }).fill(address())
    await dialog.getByRole('checkbox', { name: /Verify TLS/ }).uncheck()
    await dialog.getByRole('button', { name: 'Try and add' }).click()
    const alert = dialog.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toMatch(/It wants credentials \(401\).*wants credentials/)
    await shoot(page, 'remotes-add-401')

    await dialog.getByRole('textbox', { name: /User/ }).fill(remote.user)
    await dialog.getByLabel(/Password or token/).fill(remote.password)
    await dialog.getByRole('button', { name: 'Try and add' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByRole('button', { name: new RegExp(`^${address().replace(/\./g, '\\.')}`) }).waitFor()
    await page.getByRole('region', { name: 'Connection' }).getByText(`${address()} answers`).waitFor()
    // The registry is empty: its catalog says so.
    await page.getByText('No repositories there').waitFor()
  })

  it('copies a tag to it from the catalog (Copy to…): a transfer card, the same digest there', async () => {
    await ui.openView('Catalog')
    await ui.repository('team/app').click()
    await ui.openTag('1.0')
    await ui.action('Copy to…').click()
    const dialog = page.getByRole('dialog', { name: 'Copy team/app to another registry' })
    expect(await dialog.getByRole('combobox', { name: 'To registry' }).inputValue()).toBeTruthy()
    await dialog.getByRole('button', { name: 'Copy' }).click()
    const card = await ui.waitTransferDone('Copy this Berth: team/app:1.0')
    expect(await card.textContent()).toContain(`→ ${address()}`)
    expect(await card.getByLabel('Path: registry to registry, no Docker').count()).toBe(1)
    const mine = await getManifest(local, 'team/app', '1.0')
    expect((await remoteDigest(remote.url, 'team/app', '1.0', remote.basic)).header).toBe(mine.digest)
    await ui.quiet()
    await shoot(page, 'remotes-copied-to')

    // A multi-platform repository, every platform: its index, unchanged.
    await ui.repository('team/web').click()
    // The repository's own button (the tag's comes after it): every tag ticked.
    await page.getByRole('main', { name: 'Repository team/web' }).getByRole('button', { name: 'Copy to…' }).first().click()
    const all = page.getByRole('dialog', { name: 'Copy team/web to another registry' })
    expect(await all.getByRole('checkbox', { name: /Every platform/ }).isChecked()).toBe(true)
    await all.getByRole('button', { name: 'Copy' }).click()
    await ui.waitTransferDone('Copy this Berth: team/web:2.0')
    expect((await remoteDigest(remote.url, 'team/web', '2.0', remote.basic)).header).toBe((await getManifest(local, 'team/web', '2.0')).digest)
  })

  it('browses it with the same views: repositories, tags with platforms, layers and history', async () => {
    await ui.openView('Remotes')
    // A copy finished there: its listing was read again.
    await page.getByRole('option', { name: 'team/app', exact: true }).waitFor()
    await page.getByRole('option', { name: 'team/web', exact: true }).click()
    const row = page.getByRole('grid', { name: 'Tags of team/web' }).getByRole('row', { name: '2.0', exact: true })
    await eventually(async () => expect(await row.textContent()).toContain('linux: amd64, arm64'), 10_000, 'the platforms of team/web:2.0')
    await page.getByRole('tab', { name: /Platforms/ }).waitFor()
    await page.getByRole('list', { name: 'Build attestations' }).waitFor()
    expect(await ui.action('Delete').count()).toBe(0)

    await page.getByRole('option', { name: 'team/app', exact: true }).click()
    await page.getByRole('table', { name: 'Layers' }).waitFor()
    await ui.tab(/History/)
    expect(await layoutProblems(page, ['Registries and repositories', 'Remote repository team/app', 'Connection and transfers'])).toEqual([])
    await ui.tab(/Layers/)
    await ui.quiet()
    await shoot(page, 'remotes-browse')
  })

  it('copies a tag back into Berth under another name (Copy to Berth…), byte for byte', async () => {
    await ui.action('Copy to Berth…').click()
    const dialog = page.getByRole('dialog', { name: `Copy team/app from ${address()} to Berth` })
    await dialog.getByRole('textbox', { name: /Into repository/ }).fill('back/app')
    await dialog.getByRole('button', { name: 'Copy' }).click()
    await ui.waitTransferDone(`Copy ${address()}: team/app:1.0`)
    const back = await getManifest(local, 'back/app', '1.0')
    expect(back.status).toBe(200)
    expect(back.digest).toBe((await getManifest(local, 'team/app', '1.0')).digest)
    await ui.openView('Catalog')
    await ui.repository('back/app').waitFor()
    await ui.quiet()
    await shoot(page, 'remotes-copied-back')
  })

  it('reads well at the narrowest window too (1024 px)', async () => {
    await page.setViewportSize({ width: 1024, height: 768 })
    try {
      await ui.openView('Remotes')
      await page.getByRole('option', { name: 'team/app', exact: true }).click()
      await page.getByRole('table', { name: 'Layers' }).waitFor()
      expect(await layoutProblems(page, ['Registries and repositories', 'Remote repository team/app', 'Connection and transfers'])).toEqual([])
      await ui.quiet()
      await shoot(page, 'remotes-1024')
    } finally {
      await page.setViewportSize(VIEW)
    }
  })
})
