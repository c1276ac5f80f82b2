import { app, BrowserWindow } from 'electron'
import { createMainWindow } from './window'

/** Electron lifecycle: one instance, one window (the registry wiring arrives with the service). */
export function boot(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  let win: BrowserWindow | null = null
  app.on('second-instance', () => {
    if (!win) return
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  void app.whenReady().then(() => {
    win = createMainWindow()
    win.on('closed', () => {
      win = null
    })
  })
  app.on('activate', () => {
    if (!win) win = createMainWindow()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
