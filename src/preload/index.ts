import { contextBridge, ipcRenderer } from 'electron'
import { METHODS } from '../shared/contract/channels'

// window.berth: one invoke wrapper per contract method, nothing else of Electron reaches the page.
const berth = Object.fromEntries(METHODS.map((name) => [name, (input?: unknown) => ipcRenderer.invoke(name, input)]))
contextBridge.exposeInMainWorld('berth', berth)
