import { join } from 'node:path'
import { createService, type Service } from '../../src/main/service/service'

/**
 * A service on a free registry port over `dataDir` whose Docker engine is looked for at a socket
 * that does not exist: docker.* methods reach no engine, whatever this machine runs.
 */
export async function offlineService(dataDir: string, options: { startRegistry?: boolean } = {}): Promise<Service> {
  const service = createService({
    settingsFile: null,
    defaults: { port: 0, host: '127.0.0.1', dataDir, startOnLaunch: false, startAtLogin: false },
    discovery: { env: { DOCKER_HOST: `unix://${join(dataDir, 'no-docker.sock')}` }, home: dataDir, platform: 'linux', readFile: () => null }
  })
  await service.init({ startRegistry: options.startRegistry ?? true })
  return service
}
