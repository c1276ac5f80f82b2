import type { DoctorFix, EngineKind } from '@shared/model/sharing'
import { KIND_NAMES } from '../docker/engine-location'

/** Trusting a CA for one registry, where this engine reads it. */
export function caFix(engine: EngineKind, registry: string, certsDir: string, caSource: string, platform: NodeJS.Platform): DoctorFix {
  if (engine.kind === 'docker-desktop' || engine.kind === 'orbstack') {
    const restart = engine.kind === 'orbstack' ? 'orb restart docker' : 'then restart Docker Desktop (whale menu → Restart)'
    return {
      id: 'trust-ca',
      title: `Trust the CA in the ${platform === 'win32' ? 'Windows certificate store' : 'macOS keychain'}`,
      note: `${KIND_NAMES[engine.kind]} copies the host's trusted CAs into its VM when the engine starts.`,
      commands:
        platform === 'win32'
          ? [`${caSource} > berth-ca.crt`, 'certutil -addstore -f Root berth-ca.crt   # in an administrator shell', restart]
          : [`${caSource} > berth-ca.crt`, 'security add-trusted-cert -d -r trustRoot -k ~/Library/Keychains/login.keychain-db berth-ca.crt', restart]
    }
  }
  if (engine.kind === 'colima' || engine.kind === 'lima' || engine.kind === 'rancher-desktop') {
    const ssh = engine.kind === 'colima' ? 'colima ssh --' : engine.kind === 'rancher-desktop' ? 'rdctl shell' : 'limactl shell default'
    return {
      id: 'trust-ca',
      title: 'Put the CA into the VM\'s certs.d',
      note: 'dockerd reads certs.d at every connection: no restart.',
      commands: [`${caSource} | ${ssh} sudo sh -c 'mkdir -p /etc/docker/certs.d/${registry} && cat > /etc/docker/certs.d/${registry}/ca.crt'`]
    }
  }
  if (engine.kind === 'podman-machine')
    return {
      id: 'trust-ca',
      title: 'Put the CA into the Podman machine',
      commands: [`${caSource} | podman machine ssh "sudo sh -c 'mkdir -p /etc/containers/certs.d/${registry} && cat > /etc/containers/certs.d/${registry}/ca.crt'"`]
    }
  return {
    id: 'trust-ca',
    title: `Put the CA into ${certsDir}`,
    note: 'dockerd reads certs.d at every connection: no restart, running containers keep running.',
    commands: [`sudo mkdir -p ${certsDir}`, `${caSource} | sudo tee ${certsDir}/ca.crt >/dev/null`]
  }
}
