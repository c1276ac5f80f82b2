import { BrowserWindow, ipcMain } from 'electron'
import { METHOD_NAMES, ipcChannel } from '@shared/contract'
import type { Service } from '../service/service'
import { dispatch } from '../service/dispatch'
import { rendererUrl, trustedSender } from './security'

/**
 * One `ipcMain.handle` per contract method (validate → call → envelope), and every service event
 * forwarded to the windows that are still alive. Returns the undo.
 */
export function registerIpc(service: Service, expectedUrl = rendererUrl()): () => void {
  for (const name of METHOD_NAMES) {
    ipcMain.handle(ipcChannel.method(name), (event, input) => {
      if (!trustedSender(event, expectedUrl)) return { ok: false, error: { code: 'INVALID_INPUT', message: 'This page may not call Berth.' } }
      return dispatch(service.api, name, input)
    })
  }
  const unsubscribe = service.bus.subscribe((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(ipcChannel.event(event), payload)
    }
  })
  return () => {
    unsubscribe()
    for (const name of METHOD_NAMES) ipcMain.removeHandler(ipcChannel.method(name))
  }
}
