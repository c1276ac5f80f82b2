import type { Session } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The one page Berth's window shows: the built index.html, or exactly the dev server's address. */
export function rendererUrl(): string {
  const dev = process.env.ELECTRON_RENDERER_URL
  return dev ? new URL(dev).href : pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href
}

const withoutHash = (url: string) => url.replace(/#.*$/, '')

/**
 * Only our own page may call the service: the window's main frame (a subframe could be anyone's),
 * showing exactly the renderer's URL — not a prefix (`file:///…/index.html.evil` and any other file
 * are someone else's page). A fragment is ignored: it does not change the document.
 */
/** The parts of an IpcMainInvokeEvent that say who sent it. */
export interface SenderInfo {
  sender?: { mainFrame: unknown } | null
  senderFrame?: { url: string } | null
}

export function trustedSender(event: SenderInfo, expected = rendererUrl()): boolean {
  const frame = event.senderFrame
  if (!frame || frame !== event.sender?.mainFrame) return false
  return withoutHash(frame.url) === withoutHash(expected)
}

/**
 * The window asks for no permission (camera, notifications, geolocation, USB…): all are refused,
 * asked or checked. Copying falls back to the selection way (lib/clipboard.ts).
 */
export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}
