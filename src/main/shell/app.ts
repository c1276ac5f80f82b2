import { app, BrowserWindow, session, type Tray } from 'electron'
import { join } from 'node:path'
import pino from 'pino'
import { createService, type Service } from '../service/service'
import { registerIpc } from './ipc'
import { lockDownSession } from './security'
import { SafeStorageSecrets } from './secret-store'
import { createTray } from './tray'
import { createMainWindow } from './window'

export interface Shell {
  service: Service
  tray: Tray
  window(): BrowserWindow | null
}

/** Runtime assets: kept out of the asar (asarUnpack) so the tray can read them. */
export function resourcesDir(): string {
  return app.isPackaged ? join(process.resourcesPath, 'app.asar.unpacked', 'resources') : join(app.getAppPath(), 'resources')
}

/**
 * Electron lifecycle: one instance; the service starts (and the registry with it, if the setting
 * says so); the tray lives for the whole session; closing the window keeps Berth in the tray;
 * quitting stops the registry cleanly.
 */
export async function boot(): Promise<Shell | null> {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return null
  }
  await app.whenReady()
  lockDownSession(session.defaultSession)
  // No page Berth shows may open a <webview> (it would run without our preferences).
  app.on('web-contents-created', (_event, contents) => contents.on('will-attach-webview', (e) => e.preventDefault()))
  const userData = app.getPath('userData')
  const service = createService({
    settingsFile: join(userData, 'settings.json'),
    defaults: { port: 5000, host: '127.0.0.1', dataDir: join(userData, 'registry'), startOnLaunch: true, startAtLogin: false },
    log: pino({ level: process.env.BERTH_LOG_LEVEL ?? 'info' }),
    onStartAtLogin: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }),
    registriesFile: join(userData, 'registries.json'),
    secretStore: new SafeStorageSecrets(join(userData, 'secrets.json'))
  })
  const unregister = registerIpc(service)

  let win: BrowserWindow | null = null
  let quitting = false
  const openWindow = () => {
    if (!win || win.isDestroyed()) {
      win = createMainWindow()
      win.on('close', (event) => {
        // Closing the window is not quitting: the registry keeps serving from the tray.
        if (!quitting) {
          event.preventDefault()
          win?.hide()
        }
      })
      win.on('closed', () => {
        win = null
      })
    } else {
      if (win.isMinimized()) win.restore()
      win.show()
      win.focus()
    }
  }
  const quit = () => app.quit()

  app.on('second-instance', openWindow)
  app.on('activate', openWindow)
  app.on('window-all-closed', () => {
    // Stay in the tray.
  })
  let disposed = false
  app.on('before-quit', (event) => {
    quitting = true
    if (disposed) return
    event.preventDefault()
    disposed = true
    void service.dispose().finally(() => {
      unregister()
      app.quit()
    })
  })

  await service.init()
  const tray = createTray(service, resourcesDir(), { openWindow, quit })
  openWindow()
  return { service, tray, window: () => win }
}
