import { createHash } from 'node:crypto'
import { readdir, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { tempDir } from '../helpers/berth'
import { describeWith } from '../helpers/require'
import { launchChromium, watchConsole } from './browser'
import { BerthPage } from './pages/berth-page'
import { pushMultiPlatformIndex } from './seed'
import { spawnServeApp, type ServeApp } from './serve-app'

// A person has the Berth app open in their browser and visits a hostile page in another tab of the
// same browser. The page is served from another port of 127.0.0.1 (every port there is "same site",
// so cookies would follow), and a second one plays DNS rebinding (its name, evil.test, resolves to
// 127.0.0.1, so its requests are same-origin to itself but carry a foreign Host). Together they try
// what a page can: no-cors fetches, text/plain form posts, EventSource, <img>/<script> tags, a blob
// posted to the registry port, guessed tokens. Asserted on Berth's side, not on pictures: the
// registry still runs on the same port, the data folder holds exactly what it held, the settings are
// unchanged, and nothing readable reached the page; and the real app page still works.

/** Every file under the registry tree, with its size: what "nothing was stored" compares. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name)
      if (e.isDirectory()) await walk(p)
      else out.push(relative(dir, p))
    }
  }
  await walk(dir)
  return out.sort()
}

/** In the pages' scripts: a fetch and what the page could see of its answer, into `results`. */
const SEND = `const results = (window.results = {})
async function send(name, url, init) {
  try {
    const r = await fetch(url, init)
    results[name] = { type: r.type, status: r.status, body: await r.text() }
  } catch (e) {
    results[name] = { error: String(e) }
  }
}`

/** The hostile page's script: every attack, its outcome as the page could observe it, in `window.results`. */
function hostileScript(app: string, registry: string, blobDigest: string, blob: string): string {
  return `
const APP = ${JSON.stringify(app)}, REG = ${JSON.stringify(registry)}
const settle = (ms) => new Promise((r) => setTimeout(r, ms))
${SEND}
const noCors = (name, url, init = {}) => send(name, url, { mode: 'no-cors', credentials: 'include', ...init })
const cors = (name, url, init = {}) => send(name, url, { mode: 'cors', credentials: 'include', ...init })
function tag(name, kind, url) {
  return new Promise((resolve) => {
    const el = document.createElement(kind)
    el.onload = () => { results[name] = 'load'; resolve() }
    el.onerror = () => { results[name] = 'error'; resolve() }
    el.src = url
    document.body.appendChild(el)
    setTimeout(() => { results[name] ??= 'timeout'; resolve() }, 3000)
  })
}
function form(name, action, fields) {
  const frame = document.createElement('iframe')
  frame.name = name
  document.body.appendChild(frame)
  const f = document.createElement('form')
  f.method = 'post'; f.enctype = 'text/plain'; f.action = action; f.target = name
  for (const [k, v] of fields) { const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i) }
  document.body.appendChild(f)
  return new Promise((resolve) => {
    frame.onload = () => { results[name] = 'submitted'; resolve() }
    f.submit()
    setTimeout(() => { results[name] ??= 'timeout'; resolve() }, 3000)
  })
}
function events(name, url, withCredentials) {
  return new Promise((resolve) => {
    const got = []
    const es = new EventSource(url, { withCredentials })
    es.onopen = () => got.push('open')
    es.onmessage = (e) => got.push(e.data)
    for (const ev of ['registry.status', 'registry.activity', 'catalog.changed', 'docker.status']) es.addEventListener(ev, (e) => got.push(e.data))
    setTimeout(() => { results[name] = { got, readyState: es.readyState }; es.close(); resolve() }, 2500)
  })
}
async function attack() {
  await noCors('fetch-stop', APP + '/api/registry.stop', { method: 'POST' })
  await noCors('fetch-stop-text', APP + '/api/registry.stop', { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } })
  await noCors('fetch-settings', APP + '/api/settings.update', { method: 'POST', body: '{"startOnLaunch":false,"port":1234}', headers: { 'Content-Type': 'text/plain' } })
  await noCors('fetch-delete', APP + '/api/storage.deleteRepository', { method: 'POST', body: '{"repository":"seed/app"}' })
  await form('form-stop', APP + '/api/registry.stop', [['{"x":"', '"}']])
  await form('form-delete', APP + '/api/storage.deleteRepository', [['{"repository":"seed/app","x":"', '"}']])
  await events('events', APP + '/api/events', false)
  await events('events-credentials', APP + '/api/events', true)
  await tag('img-api', 'img', APP + '/api/registry.stop')
  await tag('script-api', 'script', APP + '/api')
  await tag('img-registry', 'img', REG + '/v2/_catalog')
  await tag('script-registry', 'script', REG + '/v2/_catalog')
  await noCors('fetch-blob', REG + '/v2/x/blobs/uploads/?digest=${blobDigest}', { method: 'POST', body: new Blob([${JSON.stringify(blob)}]) })
  await form('form-blob', REG + '/v2/y/blobs/uploads/?digest=${blobDigest}', [['a', 'b']])
  for (const guess of ['', 'token', 'berth', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
    await cors('guess-stop-' + guess, APP + '/api/registry.stop', { method: 'POST', body: '{}', headers: { Authorization: 'Bearer ' + guess, 'Content-Type': 'application/json' } })
    await cors('guess-read-' + guess, APP + '/api/settings.get', { method: 'POST', body: '{}', headers: { Authorization: 'Bearer ' + guess, 'Content-Type': 'application/json' } })
  }
  await cors('read-api', APP + '/api')
  await cors('read-registry', REG + '/v2/_catalog')
  await noCors('page-with-token-guess', APP + '/?token=guess')
  await settle(200)
  window.done = true
}
attack()
`
}

/** What a rebinding page tries with its own origin's name: same-origin requests that reach Berth with Host evil.test. */
function rebindScript(kind: 'app' | 'registry', blobDigest: string, blob: string): string {
  return `
${SEND}
async function attack() {
  if (${JSON.stringify(kind)} === 'app') {
    await send('stop', '/api/registry.stop', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } })
    await send('listing', '/api')
    await send('events', '/api/events')
    await send('page', '/')
  } else {
    await send('catalog', '/v2/_catalog')
    await send('base', '/v2/')
    await send('blob', '/v2/z/blobs/uploads/?digest=${blobDigest}', { method: 'POST', body: ${JSON.stringify(blob)} })
  }
  window.done = true
}
attack()
`
}

describeWith({ commands: ['chromium'] }, 'a hostile page in the same browser as the Berth app', () => {
  let serve: ServeApp
  let dataDir: string
  let browser: Browser
  let context: BrowserContext
  let app: Page
  let problems: string[]
  let hostile: Server
  let uiPort: number
  let token: string
  const blob = 'evil bytes from a web page'
  const blobDigest = `sha256:${createHash('sha256').update(blob).digest('hex')}`
  const api = async (method: string, input?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${uiPort}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input)
    })
    return (await res.json()) as { ok: boolean; result: Record<string, unknown> }
  }

  beforeAll(async () => {
    dataDir = await tempDir('berth-e2e-hostile-')
    serve = await spawnServeApp(['--data', dataDir])
    const url = new URL(serve.appUrl)
    uiPort = Number(url.port)
    token = url.searchParams.get('token')!
    await pushMultiPlatformIndex(`http://127.0.0.1:${serve.registryPort}`, 'seed/app', '1.0')
    hostile = createServer((req, res) => {
      const page = `<!doctype html><title>cat pictures</title><body><script>${hostileScript(`http://127.0.0.1:${uiPort}`, `http://127.0.0.1:${serve.registryPort}`, blobDigest, blob)}</script></body>`
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      res.end(req.url === '/favicon.ico' ? '' : page)
    })
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve))
    // evil.test resolves to 127.0.0.1 for this browser: DNS rebinding without a DNS server. Chromium's
    // own Private/Local Network Access checks would stop the rebound requests before Berth sees them;
    // they are off here to stand for the browsers that have none (Firefox, Safari): Berth must refuse by itself.
    browser = await launchChromium({
      extraArgs: [
        '--host-resolver-rules=MAP evil.test 127.0.0.1',
        '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks'
      ]
    })
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', reducedMotion: 'reduce' })
  })

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await new Promise((r) => (hostile ? hostile.close(r) : r(null)))
    await serve?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('the app page opens with the printed address, keeps the token out of the address and of cookies, and shows the registry running', async () => {
    app = await context.newPage()
    problems = watchConsole(app)
    await app.goto(serve.appUrl)
    const ui = new BerthPage(app)
    await ui.registryState().waitFor()
    await expect.poll(() => ui.registryState().getAttribute('aria-label')).toBe('Registry running')
    expect(app.url()).toBe(`http://127.0.0.1:${uiPort}/`)
    expect(await app.evaluate('document.cookie')).toBe('')
    expect(await app.evaluate("sessionStorage.getItem('berth.token')")).toBe(token)
    await app.getByRole('option', { name: 'seed/app', exact: true }).waitFor()
  })

  it('nothing the pages try changes Berth or reads anything from it', async () => {
    const v2 = join(dataDir, 'docker', 'registry', 'v2')
    const before = { tree: await tree(v2), settings: (await api('settings.get')).result, status: (await api('registry.status')).result }
    expect(before.status).toMatchObject({ state: 'running', port: serve.registryPort })

    // Another port of 127.0.0.1, in the same browser (context) as the app.
    const cross = await context.newPage()
    await cross.goto(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}/`)
    await cross.waitForFunction('window.done === true', undefined, { timeout: 60_000 })
    const results = (await cross.evaluate('window.results')) as Record<string, { type?: string; status?: number; body?: string; error?: string; got?: string[] } | string>

    // DNS rebinding: the first answer for evil.test served the attacker's page (fulfilled here), the
    // next ones point at 127.0.0.1, so the page's same-origin requests reach Berth with Host evil.test.
    const rebound: Record<string, Record<string, { status?: number; body?: string; error?: string }>> = {}
    for (const [kind, port] of [['app', uiPort], ['registry', serve.registryPort]] as const) {
      const page = await context.newPage()
      const origin = `http://evil.test:${port}`
      await page.route(`${origin}/attack`, (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', body: `<!doctype html><body><script>${rebindScript(kind, blobDigest, blob)}</script></body>` })
      )
      await page.goto(`${origin}/attack`)
      await page.waitForFunction('window.done === true', undefined, { timeout: 30_000 })
      rebound[kind] = (await page.evaluate('window.results')) as Record<string, { status?: number; body?: string }>
      await page.close()
    }
    await cross.close()

    // Berth: still running on the same port, the same settings, the same files.
    expect(serve.proc.exitCode).toBeNull()
    expect((await api('registry.status')).result).toMatchObject({ state: 'running', port: serve.registryPort, startedAt: before.status.startedAt })
    expect((await api('settings.get')).result).toEqual(before.settings)
    expect(await tree(v2)).toEqual(before.tree)
    expect(before.tree.some((f) => f.startsWith('repositories/seed/app/'))).toBe(true)
    expect(await readdir(join(dataDir, 'berth', 'staging')).catch(() => [])).toEqual([])
    expect((await (await fetch(`http://127.0.0.1:${serve.registryPort}/v2/_catalog`)).json())).toEqual({ repositories: ['seed/app'] })

    // Nothing readable came back to the cross-port page: opaque answers, failed CORS reads, no events.
    const expected = [
      'fetch-stop', 'fetch-stop-text', 'fetch-settings', 'fetch-delete', 'form-stop', 'form-delete', 'events', 'events-credentials',
      'img-api', 'script-api', 'img-registry', 'script-registry', 'fetch-blob', 'form-blob', 'read-api', 'read-registry', 'page-with-token-guess'
    ]
    for (const name of expected) expect(results[name], name).toBeDefined()
    for (const [name, r] of Object.entries(results)) {
      if (typeof r === 'string') continue
      if (name.startsWith('fetch-') || name === 'page-with-token-guess') expect(r, name).toEqual({ type: 'opaque', status: 0, body: '' })
      else if (name.startsWith('guess-') || name.startsWith('read-')) expect(r.error, name).toMatch(/TypeError: Failed to fetch/)
      else if (name.startsWith('events')) expect(r.got, name).toEqual([])
    }
    for (const name of ['img-api', 'img-registry', 'script-api']) expect(results[name], name).toBe('error')
    expect(Object.keys(results).filter((k) => k.startsWith('guess-'))).toHaveLength(8)

    // The rebinding pages could read their answers (same origin): refusals, and nothing else.
    for (const [name, r] of Object.entries(rebound.app)) {
      expect(r.status, `app ${name}`).toBe(403)
      expect(JSON.parse(r.body!), `app ${name}`).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'Use http://127.0.0.1 or localhost to reach Berth.' } })
    }
    expect(Object.keys(rebound.app).sort()).toEqual(['events', 'listing', 'page', 'stop'])
    for (const [name, r] of Object.entries(rebound.registry)) {
      expect(r.status, `registry ${name}`).toBe(403)
      expect(JSON.parse(r.body!).errors[0], `registry ${name}`).toMatchObject({ code: 'DENIED', detail: { host: `evil.test:${serve.registryPort}` } })
      expect(r.body, `registry ${name}`).not.toContain('seed/app')
    }
    expect(Object.keys(rebound.registry).sort()).toEqual(['base', 'blob', 'catalog'])
  })

  it('the real app page still works: its calls and its event stream (fetch + Bearer) drive and follow the registry, also after a reload', async () => {
    const ui = new BerthPage(app)
    await ui.stopRegistry()
    await expect.poll(() => ui.registryState().getAttribute('aria-label')).toBe('Registry stopped')
    expect((await api('registry.status')).result.state).toBe('stopped')
    // A change made elsewhere reaches the page through its event stream.
    await api('registry.start')
    await expect.poll(() => ui.registryState().getAttribute('aria-label')).toBe('Registry running')
    // The tab keeps its token (sessionStorage) across a reload of the now token-less address.
    await app.reload()
    await ui.registryState().waitFor()
    await expect.poll(() => ui.registryState().getAttribute('aria-label')).toBe('Registry running')
    await app.getByRole('option', { name: 'seed/app', exact: true }).waitFor()
    expect(problems).toEqual([])
  })
})
