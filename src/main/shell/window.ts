import { BrowserWindow, shell } from 'electron'
import { join } from 'node:path'
import { rendererUrl } from './security'

/** The main window: isolated, sandboxed, no Node in the page; external links go to the browser. */
export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    // The narrowest width the layout is asserted at (test/e2e/layout.test.ts); App.tsx holds the same floor.
    minWidth: 1024,
    minHeight: 600,
    show: false,
    title: 'Berth',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // A file dropped outside the drop targets must not replace the app with itself.
      navigateOnDragDrop: false
    }
  })
  win.once('ready-to-show', () => win.show())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  // The window only ever shows Berth: links elsewhere open in the browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (url === win.webContents.getURL()) return
    event.preventDefault()
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
  })
  // The same address IPC trusts (security.ts), and nothing else.
  void win.loadURL(rendererUrl())
  return win
}
