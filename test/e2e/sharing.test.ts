import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { tempDir } from '../helpers/berth'
import { BASE_IMAGE, ensureBaseImage } from '../helpers/images'
import { canUseNetns } from '../helpers/loopback-netns'
import { createNetns, VIEWS_NET, type Netns } from '../helpers/netns'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { launchChromium, layoutProblems, shoot } from './browser'
import { eventually, openBerth, type BerthPage } from './pages/berth-page'
import { spawnServeApp, type ServeApp } from './serve-app'

// Sharing from the window, for real: `berth serve` starts on loopback; the Sharing view shares it on
// this test's own veth end (10.213.0.1, namespace berth-views-1 behind it) over HTTPS; accounts are
// added there; the CA downloaded from the window lets curl inside the namespace in; a skopeo push with
// an account shows up live in Activity; TLS turned off brings the daemon.json doctor's banner.

const VIEW = { width: 1280, height: 800 }
const TALL = { width: 1280, height: 1500 }
const HOST = VIEWS_NET.hostIp
const ALICE = { name: 'alice', password: 'alice-push-secret-1' }

describeWith({ docker: true, commands: ['chromium', 'ip', 'skopeo', 'curl'] }, 'sharing, accounts, the CA, activity and the doctor banner in Chromium', () => {
  let ns: Netns
  let serve: ServeApp
  let browser: Browser
  let page: Page
  let problems: string[]
  let ui: BerthPage
  let dataDir = ''
  let configDir = ''
  let certDir = ''
  /** `10.213.0.1:<port>` once shared (the port changes at every restart: serve runs with --port 0). */
  let address = ''

  beforeAll(async () => {
    if (!canUseNetns()) throw new Error('this test needs root and `ip netns` (apt-get install -y iproute2)')
    await ensureBaseImage()
    ns = await createNetns(1, VIEWS_NET)
    dataDir = await tempDir('berth-share-e2e-data-')
    // Berth's CA goes here, not into this machine's config folder.
    configDir = await tempDir('berth-share-e2e-config-')
    certDir = await tempDir('berth-share-e2e-certs-')
    serve = await spawnServeApp(['--data', dataDir], { env: { ...process.env, XDG_CONFIG_HOME: configDir } })
    browser = await launchChromium()
    ;({ page, ui, problems } = await openBerth(browser, serve.appUrl, { permissions: ['clipboard-read', 'clipboard-write'] }))
  })

  afterEach(() => {
    expect(problems).toEqual([])
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.close()
    await ns?.remove()
    for (const dir of [dataDir, configDir, certDir]) if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('shares the registry on one address chosen in the Sharing view, over HTTPS', async () => {
    await ui.openView('Sharing')
    const card = ui.sharingCard('Share on the network')
    await card.getByRole('radio', { name: /This machine only/ }).waitFor()
    expect(await card.getByRole('radio', { name: /This machine only/ }).isChecked()).toBe(true)
    expect(await card.getByText('Loopback: nothing on the network reaches it').count()).toBe(1)
    await shoot(page, 'sharing-loopback')

    await card.getByRole('radio', { name: new RegExp(`^${HOST.replace(/\./g, '\\.')} \\(`) }).check()
    await card.getByRole('button', { name: 'Save' }).click()
    await card.getByText('Shared over HTTPS', { exact: true }).waitFor({ timeout: 20_000 })
    address = await ui.registryAddress()
    expect(address).toMatch(new RegExp(`^${HOST.replace(/\./g, '\\.')}:\\d+$`))
    // No account yet: everything is refused, and the view says so.
    await card.getByRole('list', { name: 'Sharing warnings' }).getByText(/No accounts yet/).waitFor()
    expect(await layoutProblems(page, ['Sharing'])).toEqual([])
  })

  it('adds accounts with a role, changes a password and removes one; passwords are never shown', async () => {
    const card = ui.sharingCard('Accounts')
    const form = card.getByRole('form', { name: 'Add an account' })
    for (const [name, role, password] of [[ALICE.name, 'push', ALICE.password], ['bob', 'pull', 'bob-pull-secret-1'], ['temp', 'admin', 'temp-admin-secret']] as const) {
      await form.getByRole('textbox', { name: 'Account name' }).fill(name)
      await form.getByRole('combobox', { name: 'Role' }).selectOption(role)
      await form.getByLabel('Password').fill(password)
      await form.getByRole('button', { name: 'Add account' }).click()
      await card.getByRole('row', { name }).waitFor()
      expect(await form.getByLabel('Password').inputValue()).toBe('')
    }
    expect(await card.getByRole('row', { name: 'bob' }).textContent()).toContain('pull')

    await card.getByRole('button', { name: 'Change the password of bob…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Change the password of bob' })
    await dialog.getByLabel('New password').fill('bob-new-secret-2')
    await dialog.getByRole('button', { name: 'Change password' }).click()
    await dialog.waitFor({ state: 'detached' })

    await card.getByRole('button', { name: 'Remove temp…' }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove account' }).click()
    await card.getByRole('row', { name: 'temp' }).waitFor({ state: 'detached' })

    // In Berth's htpasswd, bcrypt only; the new password works, the old one no longer.
    const htpasswd = await readFile(join(dataDir, 'berth', 'htpasswd'), 'utf8')
    expect(htpasswd).toMatch(/^alice:\$2[aby]\$/m)
    for (const secret of [ALICE.password, 'bob-new-secret-2', 'bob-pull-secret-1']) expect(await page.content()).not.toContain(secret)
    await page.setViewportSize(TALL)
    await page.getByRole('main', { name: 'Sharing' }).evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0))
    await ui.quiet()
    await shoot(page, 'sharing-accounts')
    await page.setViewportSize(VIEW)
  })

  it('downloads the CA from the window; with it, curl on another host logs in over HTTPS; the steps copy', async () => {
    const card = ui.sharingCard('Certificate authority')
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /Download berth-ca\.crt/ }).click()])
    expect(download.suggestedFilename()).toBe('berth-ca.crt')
    const caFile = join(certDir, 'ca.crt')
    await download.saveAs(caFile)
    const pem = await readFile(caFile, 'utf8')
    expect(pem).toBe(await readFile(join(configDir, 'Berth', 'tls', 'ca.crt'), 'utf8'))
    const fingerprint = (await card.getByRole('button', { name: 'Copy the CA fingerprint' }).locator('xpath=..').textContent()) ?? ''
    expect(fingerprint).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){15,}$/)

    // The other host: inside the namespace, only the CA file and an account.
    const ok = await ns.exec('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', caFile, '-u', `${ALICE.name}:${ALICE.password}`, `https://${address}/v2/`])
    expect(ok.stdout).toBe('200')
    const bobOld = await ns.exec('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', caFile, '-u', 'bob:bob-pull-secret-1', `https://${address}/v2/`])
    expect(bobOld.stdout).toBe('401')
    const untrusted = await ns.exec('curl', ['-sS', `https://${address}/v2/`])
    expect(untrusted.code).not.toBe(0)

    const steps = ui.sharingCard('Use from another machine').getByRole('list', { name: 'Steps' })
    const login = steps.getByRole('button', { name: `Copy: docker login ${address}` })
    await login.click()
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`docker login ${address}`)
    for (const step of [/Docker: trust the CA/, /Kubernetes/, /Swarm/]) expect(await steps.getByRole('listitem', { name: step }).count()).toBeGreaterThan(0)
    await page.setViewportSize(TALL)
    await ui.sharingCard('Use from another machine').getByRole('heading', { name: /Kubernetes/ }).first().scrollIntoViewIfNeeded()
    await ui.quiet()
    await shoot(page, 'sharing-other-machine')
    await page.setViewportSize(VIEW)
  })

  it('shows each request live in Activity while skopeo pushes with an account', async () => {
    await ui.openView('Activity')
    await page.getByRole('main', { name: 'Activity' }).waitFor()
    await eventually(async () => expect(await ui.activityRows().count()).toBeGreaterThan(1), 10_000, 'the earlier requests (curl)')
    const before = await ui.activityRows().count()
    let refetches = 0
    page.on('request', (r) => {
      if (r.url().endsWith('/api/activity.list')) refetches++
    })
    await mkdir(join(certDir, 'skopeo'), { recursive: true })
    await run('cp', [join(certDir, 'ca.crt'), join(certDir, 'skopeo', 'ca.crt')])
    await run('skopeo', ['copy', '--dest-cert-dir', join(certDir, 'skopeo'), '--dest-creds', `${ALICE.name}:${ALICE.password}`, `docker-daemon:${BASE_IMAGE}`, `docker://${address}/team/live:1.0`], { timeoutMs: 120_000 })
    const manifest = page.getByRole('row').filter({ hasText: 'team/live' }).filter({ hasText: 'PUT' }).filter({ hasText: '1.0' })
    await manifest.first().waitFor({ timeout: 10_000 })
    expect(await manifest.first().textContent()).toContain(ALICE.name)
    expect(await manifest.first().textContent()).toContain('201')
    expect(await ui.activityRows().count()).toBeGreaterThan(before + 3)
    // They came as activity.entry events: the list was not asked for again.
    expect(refetches).toBe(0)

    await page.getByRole('combobox', { name: 'Repository' }).selectOption('team/live')
    await page.getByRole('combobox', { name: 'Status' }).selectOption('2xx')
    await eventually(async () => {
      const texts = await ui.activityRows().allTextContents()
      expect(texts.length).toBeGreaterThan(2)
      for (const t of texts.slice(1)) expect(t).toContain('team/live')
    }, 10_000, 'the filtered rows')
    expect(await layoutProblems(page, ['Activity'])).toEqual([])
    await shoot(page, 'activity-live')
    await page.getByRole('button', { name: 'Clear filters' }).click()
  })

  it('turned to plain HTTP on the LAN address, the window warns about clear text and the doctor banner gives the daemon.json fix', async () => {
    await ui.openView('Sharing')
    const card = ui.sharingCard('Share on the network')
    await card.getByRole('checkbox', { name: /Serve HTTPS/ }).uncheck()
    await card.getByText('Passwords would cross the network in clear').waitFor()
    await card.getByRole('button', { name: 'Save' }).click()
    await card.getByText('Shared over plain HTTP', { exact: true }).waitFor({ timeout: 20_000 })
    address = await ui.registryAddress()

    // (Over HTTPS it already said the engine does not trust Berth's CA; now it is about plain HTTP.)
    const banner = ui.doctorBanner()
    await eventually(async () => {
      const text = (await banner.textContent({ timeout: 1000 })) ?? ''
      expect(text).toContain(`Docker on this machine will not push to or pull from ${address} from a terminal yet.`)
      expect(text).toContain('http: server gave HTTP response to HTTPS client')
    }, 20_000, 'the doctor banner for plain HTTP')
    await banner.getByRole('button', { name: 'Show the fix' }).click()
    const fix = banner.getByRole('listitem', { name: new RegExp(`Allow plain HTTP to ${address.replace(/\./g, '\\.')}`) })
    const daemonJson = JSON.parse((await fix.locator('pre').textContent()) ?? '{}')
    expect(daemonJson['insecure-registries']).toContain(address)
    expect(await fix.textContent()).toMatch(/Restarting the engine stops every running container/)
    expect(await fix.getByRole('button', { name: 'Copy: sudo systemctl restart docker' }).count()).toBe(1)
    // The engine itself agrees: its pull from that address fails exactly so (and leaves nothing behind).
    const pull = await run('docker', ['pull', `${address}/team/live:1.0`]).then(() => 'pulled', (e: Error) => e.message)
    expect(pull).toMatch(/server gave HTTP response to HTTPS client/)
    await ui.quiet()
    await shoot(page, 'doctor-banner')
  })

  it('reads well at the narrowest window too (1024 px): no sideways scroll, nothing cut without a title', async () => {
    await page.setViewportSize({ width: 1024, height: 768 })
    try {
      for (const view of ['Sharing', 'Activity'] as const) {
        await ui.openView(view)
        await page.getByRole('main', { name: view }).waitFor()
        expect(await layoutProblems(page, [view]), view).toEqual([])
      }
    } finally {
      await page.setViewportSize(VIEW)
    }
  })
})
