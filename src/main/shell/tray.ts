import { clipboard, Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron'
import { join } from 'node:path'
import type { RegistryStatus } from '@shared/model/registry'
import type { Service } from '../service/service'
import { isLoopback } from '../tls/names'

export interface TrayActions {
  openWindow(): void
  quit(): void
}

const LABELS: Record<RegistryStatus['state'], string> = {
  running: 'Registry running',
  starting: 'Registry starting…',
  stopping: 'Registry stopping…',
  stopped: 'Registry stopped',
  error: 'Registry stopped: error'
}

/** Switches sharing: back to loopback, or to the address last chosen in the window (0.0.0.0 when none); the registry restarts. */
async function toggleSharing(service: Service, shared: boolean): Promise<void> {
  const settings = await service.api['settings.get'](undefined)
  await service.api['settings.update'](shared ? { host: '127.0.0.1' } : { host: settings.shareHost ?? '0.0.0.0' })
}

/** The tray menu for a registry status (pure, so it is tested without a tray). */
export function trayMenu(status: RegistryStatus, service: Service, actions: TrayActions): MenuItemConstructorOptions[] {
  const running = status.state === 'running'
  const busy = status.state === 'starting' || status.state === 'stopping'
  const shared = !isLoopback(status.host)
  return [
    { label: running ? `${LABELS.running} on ${status.pullHost}` : LABELS[status.state], enabled: false },
    ...(status.error ? [{ label: status.error.message.slice(0, 120), enabled: false }] : []),
    { type: 'separator' },
    {
      label: running ? 'Stop registry' : 'Start registry',
      enabled: !busy,
      click: () => void (running ? service.registry.stop() : service.registry.start()).catch(() => {})
    },
    { label: 'Open Berth', click: () => actions.openWindow() },
    { label: 'Copy address', enabled: running, click: () => clipboard.writeText(status.pullHost) },
    {
      // Failures (an address gone, a port taken) come back as the registry's error state, shown above.
      label: 'Share on the network',
      type: 'checkbox',
      checked: shared,
      enabled: !busy,
      click: () => void toggleSharing(service, shared).catch(() => {})
    },
    { type: 'separator' },
    { label: 'Quit Berth', click: () => actions.quit() }
  ]
}

export function trayIconPath(resources: string, state: RegistryStatus['state']): string {
  return join(resources, state === 'running' ? 'tray-running.png' : 'tray-stopped.png')
}

/** Creates the tray icon and keeps its icon, tooltip and menu in step with the registry. */
export function createTray(service: Service, resources: string, actions: TrayActions): Tray {
  const initial = service.registry.status()
  const tray = new Tray(nativeImage.createFromPath(trayIconPath(resources, initial.state)))
  const render = (status: RegistryStatus) => {
    tray.setImage(nativeImage.createFromPath(trayIconPath(resources, status.state)))
    tray.setToolTip(status.state === 'running' ? `Berth — ${status.pullHost}` : `Berth — ${LABELS[status.state]}`)
    tray.setContextMenu(Menu.buildFromTemplate(trayMenu(status, service, actions)))
  }
  render(initial)
  service.bus.on('registry.status', render)
  tray.on('click', () => actions.openWindow())
  return tray
}
