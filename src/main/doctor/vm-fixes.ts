import type { DoctorFix, EngineKind } from '@shared/model/sharing'
import { insecureConfigChange, type EngineConfigFile } from './daemon-json'
import { hostAlias, KIND_NAMES } from '../docker/engine-location'
import { caFix } from './ca-fix'

/*
 * What works for a `docker push` typed in a terminal when the engine runs in a VM: the address
 * the VM sees this machine at, with the insecure-registries line (Berth stays on loopback), or
 * Berth shared over TLS and its CA trusted in the VM.
 */

export async function vmFixes(options: {
  engine: EngineKind
  port: number
  configFile: EngineConfigFile
  readConfig?: (path: string) => Promise<string | null>
  platform?: NodeJS.Platform
}): Promise<DoctorFix[]> {
  const { engine, port, configFile } = options
  const alias = hostAlias(engine.kind)
  const where = KIND_NAMES[engine.kind]
  if (!alias)
    return [
      {
        id: 'share',
        title: 'Share Berth on the network and push to this machine\'s address',
        note: `${where} reaches this machine only over the network: Berth shared serves HTTPS with accounts; trust its CA there (berth share info prints every step).`,
        commands: [`berth serve --host 0.0.0.0 --port ${port}`, 'berth share info']
      }
    ]
  const target = `${alias}:${port}`
  const change = await insecureConfigChange(configFile, target, options.readConfig)
  const tls = caFix(engine, target, `/etc/docker/certs.d/${target}`, 'berth tls ca', options.platform ?? process.platform)
  return [
    {
      id: 'vm-insecure-registries',
      title: `Push to ${target}, allowed as plain HTTP in ${where}`,
      note: `${alias} is how ${where} reaches this machine's own localhost, so Berth can stay on 127.0.0.1. ${configFile.apply}${change.problem ? ` ${change.problem}` : ''}`,
      commands: [...configFile.commands(change.content), `docker tag app:1.0 ${target}/app:1.0`, `docker push ${target}/app:1.0`],
      file: { path: configFile.path, content: change.content }
    },
    {
      id: 'vm-tls',
      title: `Or share Berth over TLS and trust its CA in ${where}`,
      note: `Shared on 0.0.0.0, Berth's certificate names ${alias} too; an account is then needed (berth users add).`,
      commands: [`berth serve --host 0.0.0.0 --port ${port}`, ...tls.commands, `docker login ${target}`, `docker push ${target}/app:1.0`]
    }
  ]
}
