// Stand-in for the `electron` module in tests: Electron's binary cannot be installed here, and no test
// may load the real module by accident. Tests that exercise the shell vi.mock() what they need.
export const app = {}
export const BrowserWindow = class {}
export const ipcMain = {}
export const shell = {}
export const contextBridge = {}
export const ipcRenderer = {}
export const webUtils = {}
export const session = {}
export const safeStorage = {}
