import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { METHOD_NAMES, ipcChannel } from '@shared/contract'
import { canUseNetns } from '../../../test/helpers/loopback-netns'
import { createNetns, VIEWS_NET } from '../../../test/helpers/netns'

// The Electron shell's wiring, with a stand-in electron module: Electron's binary cannot be installed
// on this machine, so this mock is the one place where Electron itself is imitated.

const e = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, input: unknown) => unknown>()
  const windows: { options: Record<string, unknown>; sent: [string, unknown][]; listeners: Map<string, (...a: unknown[]) => void> }[] = []
  const state = { userData: '', clipboard: '', loginItem: null as null | { openAtLogin: boolean }, trayMenus: [] as unknown[][], trayImages: [] as string[] }
  const appListeners = new Map<string, ((...a: unknown[]) => void)[]>()
  const permissions = { request: null as null | ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void), check: null as null | ((...a: unknown[]) => boolean) }
  return { handlers, windows, state, appListeners, permissions }
})

vi.mock('electron', () => {
  class BrowserWindow {
    static all: BrowserWindow[] = []
    static getAllWindows() {
      return BrowserWindow.all
    }
    record = { options: {} as Record<string, unknown>, sent: [] as [string, unknown][], listeners: new Map<string, (...a: unknown[]) => void>() }
    webContents = {
      send: (channel: string, payload: unknown) => this.record.sent.push([channel, payload]),
      isDestroyed: () => false,
      setWindowOpenHandler: vi.fn(),
      on: vi.fn(),
      getURL: () => 'file:///app/index.html'
    }
    constructor(options: Record<string, unknown>) {
      this.record.options = options
      e.windows.push(this.record)
      BrowserWindow.all.push(this)
    }
    once() {}
    on(event: string, fn: (...a: unknown[]) => void) {
      this.record.listeners.set(event, fn)
    }
    loadFile = vi.fn(async () => {})
    loadURL = vi.fn(async () => {})
    isDestroyed = () => false
    isMinimized = () => false
    show = vi.fn()
    hide = vi.fn()
    focus = vi.fn()
    restore = vi.fn()
  }
  class Tray {
    setImage(img: { path: string }) {
      e.state.trayImages.push(img.path)
    }
    setToolTip() {}
    setContextMenu(menu: unknown[]) {
      e.state.trayMenus.push(menu)
    }
    on() {}
  }
  return {
    app: {
      requestSingleInstanceLock: () => true,
      whenReady: async () => {},
      getPath: () => e.state.userData,
      getAppPath: () => '/app',
      isPackaged: false,
      on: (event: string, fn: (...a: unknown[]) => void) => e.appListeners.set(event, [...(e.appListeners.get(event) ?? []), fn]),
      quit: vi.fn(),
      setLoginItemSettings: (s: { openAtLogin: boolean }) => (e.state.loginItem = s)
    },
    BrowserWindow,
    Tray,
    Menu: { buildFromTemplate: (t: unknown[]) => t },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    clipboard: { writeText: (t: string) => (e.state.clipboard = t) },
    shell: { openExternal: vi.fn() },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: typeof e.permissions.request) => (e.permissions.request = fn),
        setPermissionCheckHandler: (fn: typeof e.permissions.check) => (e.permissions.check = fn)
      }
    },
    // A stand-in keychain: sealed bytes that do not contain the secret.
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (s: string) => Buffer.from(`sealed:${Buffer.from(s).toString('hex').split('').reverse().join('')}`),
      decryptString: (b: Buffer) => Buffer.from(b.toString().slice('sealed:'.length).split('').reverse().join(''), 'hex').toString()
    },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, input: unknown) => unknown) => e.handlers.set(channel, fn),
      removeHandler: (channel: string) => e.handlers.delete(channel)
    }
  }
})

const { boot } = await import('./app')
const { rendererUrl, trustedSender } = await import('./security')
const BrowserWindowMock = (await import('electron')).BrowserWindow as unknown as { all: unknown[] }
type MenuItem = { label?: string; enabled?: boolean; checked?: boolean; type?: string; click?: () => void }
/** What Electron passes to ipcMain handlers: the sending frame and the web contents whose main frame it may be. */
function sender(url: string, where: 'main' | 'subframe' = 'main') {
  const frame = { url }
  return { senderFrame: frame, sender: { mainFrame: where === 'main' ? frame : { url } } }
}
// The built page, as the window loads it (window.ts → security.ts).
const PAGE = pathToFileURL(join(import.meta.dirname, '..', 'renderer', 'index.html')).href
const trusted = sender(PAGE)

let shell: NonNullable<Awaited<ReturnType<typeof boot>>>

beforeAll(async () => {
  e.state.userData = await mkdtemp(join(tmpdir(), 'berth-shell-'))
  // Berth's CA (made when the tray shares the registry) goes here, not into this machine's config.
  process.env.XDG_CONFIG_HOME = join(e.state.userData, 'config')
  // A free high port so the registry starting at launch does not collide with anything.
  const { writeFile } = await import('node:fs/promises')
  await writeFile(join(e.state.userData, 'settings.json'), JSON.stringify({ port: 45000 + Math.floor(Math.random() * 5000) }))
  shell = (await boot())!
})
afterAll(async () => {
  await shell.service.dispose()
})

describe('Electron shell', () => {
  it('registers exactly one IPC handler per contract method', () => {
    expect([...e.handlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => ipcChannel.method(m)).sort())
  })

  it('opens a locked-down window: isolated, sandboxed, no Node, no webview, web security on, our preload, our page', () => {
    const prefs = e.windows[0].options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false
    })
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/)
    expect(rendererUrl()).toBe(PAGE)
    const win = BrowserWindowMock.all[0] as unknown as { loadURL: { mock: { calls: unknown[][] } } }
    expect(win.loadURL.mock.calls).toEqual([[PAGE]])
  })

  it('never lets the window get narrower than 1024 px, the narrowest width the layout is checked at', () => {
    expect(e.windows[0].options).toMatchObject({ minWidth: 1024 })
  })

  it('refuses every permission a page asks for or checks (deny-all handlers on the session)', () => {
    expect(e.permissions.request).toBeTypeOf('function')
    expect(e.permissions.check).toBeTypeOf('function')
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'usb']) {
      const callback = vi.fn()
      e.permissions.request!({}, permission, callback)
      expect(callback, permission).toHaveBeenCalledWith(false)
      expect(e.permissions.check!({}, permission, PAGE, {}), permission).toBe(false)
    }
  })

  it('answers IPC only from the exact page in the main frame: a prefix, another file, a subframe or no frame are refused', async () => {
    const status = e.handlers.get(ipcChannel.method('registry.stop'))!
    for (const event of [
      sender(`${PAGE}.evil`),
      sender(`${PAGE}/../../../../tmp/evil.html`),
      sender(PAGE.replace('index.html', 'evil.html')),
      sender('file:///app/index.html'),
      sender('file:///'),
      sender('https://evil.example/'),
      sender(PAGE, 'subframe'),
      { senderFrame: null, sender: { mainFrame: { url: PAGE } } }
    ]) {
      const answer = (await status(event, undefined)) as { ok: boolean; error?: { message: string } }
      expect(answer, JSON.stringify(event.senderFrame)).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'This page may not call Berth.' } })
    }
    expect(shell.service.registry.status().state).toBe('running')
    expect(trustedSender(sender(`${PAGE}#storage`))).toBe(true)
  })

  it('in development trusts exactly ELECTRON_RENDERER_URL, not what merely starts with it', () => {
    const before = process.env.ELECTRON_RENDERER_URL
    process.env.ELECTRON_RENDERER_URL = 'http://localhost:5173'
    try {
      const dev = rendererUrl()
      expect(dev).toBe('http://localhost:5173/')
      expect(trustedSender(sender('http://localhost:5173/'), dev)).toBe(true)
      for (const url of ['http://localhost:51730/', 'http://localhost:5173.evil.example/', 'http://localhost:5173/other.html', PAGE]) expect(trustedSender(sender(url), dev), url).toBe(false)
    } finally {
      if (before === undefined) delete process.env.ELECTRON_RENDERER_URL
      else process.env.ELECTRON_RENDERER_URL = before
    }
  })

  it('answers IPC calls with the envelope, validates input, refuses foreign pages', async () => {
    const status = (await e.handlers.get(ipcChannel.method('registry.status'))!(trusted, undefined)) as { ok: boolean; result: { state: string } }
    expect(status.ok).toBe(true)
    expect(status.result.state).toBe('running')
    const bad = (await e.handlers.get(ipcChannel.method('catalog.tags'))!(trusted, { repository: 'UPPER' })) as { ok: boolean; error: { code: string; message: string } }
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(bad.error.message).toMatch(/repository/)
    const foreign = (await e.handlers.get(ipcChannel.method('registry.status'))!(sender('https://evil.example'), undefined)) as { ok: boolean }
    expect(foreign.ok).toBe(false)
  })

  it('the tray shows the state and its Start/Stop item drives the registry; events reach the window', async () => {
    const menu = () => e.state.trayMenus.at(-1) as MenuItem[]
    expect(menu()[0].label).toMatch(/^Registry running on localhost:\d+$/)
    expect(e.state.trayImages.at(-1)).toMatch(/tray-running\.png$/)
    menu().find((i) => i.label === 'Copy address')!.click!()
    expect(e.state.clipboard).toMatch(/^localhost:\d+$/)

    menu().find((i) => i.label === 'Stop registry')!.click!()
    await vi.waitFor(() => expect(shell.service.registry.status().state).toBe('stopped'))
    expect(menu()[0].label).toBe('Registry stopped')
    expect(e.state.trayImages.at(-1)).toMatch(/tray-stopped\.png$/)
    const sent = e.windows[0].sent.filter(([c]) => c === ipcChannel.event('registry.status'))
    expect(sent.map(([, p]) => (p as { state: string }).state)).toContain('stopped')

    menu().find((i) => i.label === 'Start registry')!.click!()
    await vi.waitFor(() => expect(shell.service.registry.status().state).toBe('running'))
  })

  // Sharing binds a real non-loopback address: this test's own veth end, 10.213.0.1 (needs root and `ip`).
  it.skipIf(!canUseNetns())('the tray\'s "Share on the network" shares the registry at the address chosen last in the window, and back to loopback', async () => {
    const menu = () => e.state.trayMenus.at(-1) as MenuItem[]
    const item = () => menu().find((i) => i.label === 'Share on the network')!
    const ns = await createNetns(9, VIEWS_NET)
    try {
      expect(item()).toMatchObject({ type: 'checkbox', checked: false, enabled: true })
      await e.handlers.get(ipcChannel.method('settings.update'))!(trusted, { shareHost: VIEWS_NET.hostIp })
      item().click!()
      await vi.waitFor(() => expect(shell.service.registry.status()).toMatchObject({ state: 'running', host: VIEWS_NET.hostIp }), { timeout: 15_000 })
      expect(shell.service.registry.status().sharing).toMatchObject({ shared: true, scheme: 'https', authRequired: true })
      expect(item().checked).toBe(true)
      expect(menu()[0].label).toMatch(new RegExp(`^Registry running on ${VIEWS_NET.hostIp.replace(/\./g, '\\.')}:\\d+$`))

      item().click!()
      await vi.waitFor(() => expect(shell.service.registry.status()).toMatchObject({ state: 'running', host: '127.0.0.1' }), { timeout: 15_000 })
      expect(item().checked).toBe(false)
      // The choice is kept for next time.
      expect((await shell.service.api['settings.get'](undefined)).shareHost).toBe(VIEWS_NET.hostIp)
    } finally {
      await ns.remove()
    }
  })

  it('closing the window hides it (Berth stays in the tray)', () => {
    const prevent = vi.fn()
    e.windows[0].listeners.get('close')!({ preventDefault: prevent })
    expect(prevent).toHaveBeenCalled()
  })

  it('persists settings atomically in userData and drives the login item', async () => {
    const res = (await e.handlers.get(ipcChannel.method('settings.update'))!(trusted, { startAtLogin: true })) as { ok: boolean }
    expect(res.ok).toBe(true)
    expect(e.state.loginItem).toEqual({ openAtLogin: true })
    const saved = JSON.parse(await readFile(join(e.state.userData, 'settings.json'), 'utf8'))
    expect(saved.startAtLogin).toBe(true)
    expect(saved.dataDir).toBe(join(e.state.userData, 'registry'))
  })

  it('keeps a registry password typed into the window with safeStorage, never in clear text on disk', async () => {
    const password = 'typed-in-the-window-7'
    const res = (await e.handlers.get(ipcChannel.method('remote.add'))!(trusted, { address: 'registry.team.example:5000', username: 'carol', password })) as {
      ok: boolean
      result: { id: string; credentials: string; secretPersistence: string }
    }
    expect(res.result).toMatchObject({ credentials: 'saved', secretPersistence: 'keychain' })
    const registries = await readFile(join(e.state.userData, 'registries.json'), 'utf8')
    const secrets = await readFile(join(e.state.userData, 'secrets.json'), 'utf8')
    expect(registries).toContain('registry.team.example:5000')
    for (const text of [registries, secrets]) expect(text).not.toContain(password)
    const { SafeStorageSecrets } = await import('./secret-store')
    expect(await new SafeStorageSecrets(join(e.state.userData, 'secrets.json')).get(res.result.id)).toBe(password)
    await e.handlers.get(ipcChannel.method('remote.remove'))!(trusted, { registry: res.result.id })
    expect(await readFile(join(e.state.userData, 'secrets.json'), 'utf8')).not.toContain(res.result.id)
  })
})
