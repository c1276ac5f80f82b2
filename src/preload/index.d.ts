import type { BerthBridge } from '../shared/contract'

declare global {
  interface Window {
    /** Present in the Electron window; absent in a browser (the renderer then uses HTTP). */
    berth?: BerthBridge
  }
}
