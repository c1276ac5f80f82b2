import { clipboard, Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron'
import { join } from 'node:path'
import type { RegistryStatus } from '@shared/model/registry'
import type { Service } from '../service/service'

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

/** The tray menu for a registry status (pure, so it is tested without a tray). */
export function trayMenu(status: RegistryStatus, service: Service, actions: TrayActions): MenuItemConstructorOptions[] {
  const running = status.state === 'running'
  const busy = status.state === 'starting' || status.state === 'stopping'
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
