import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { EVENT_NAMES, METHOD_NAMES, ipcChannel, type EventName, type MethodName } from '../shared/contract/channels'
import type { BerthBridge } from '../shared/contract'

// window.berth, derived from the contract's names (channels.ts: no schemas in a sandboxed preload):
// invoke only contract methods, listen only to contract events. The page never sees ipcRenderer itself.
// Inputs are validated in the main process, at the boundary.

const methods = new Set<string>(METHOD_NAMES)
const events = new Set<string>(EVENT_NAMES)

const bridge: BerthBridge = {
  invoke(method: MethodName, input?: unknown) {
    if (!methods.has(method)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: `No method ${String(method)}.` } })
    return ipcRenderer.invoke(ipcChannel.method(method), input)
  },
  on(event: EventName, listener: (payload: unknown) => void) {
    if (!events.has(event)) throw new Error(`No event ${String(event)}.`)
    const channel = ipcChannel.event(event)
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(channel, handler)
    return () => {
      ipcRenderer.removeListener(channel, handler)
    }
  },
  // A sandboxed page cannot read File.path; only the preload may ask Electron where a dropped file is.
  pathForFile(file: File) {
    return webUtils.getPathForFile(file)
  }
} as BerthBridge

contextBridge.exposeInMainWorld('berth', bridge)
