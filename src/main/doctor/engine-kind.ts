import type { EngineKind } from '@shared/model/sharing'

/*
 * Where the Docker engine runs, from its own answer to `info` (OperatingSystem, Name,
 * KernelVersion, Labels) and the address Berth reached it at. It matters because an engine in a
 * VM (Docker Desktop, Colima, OrbStack, Rancher Desktop, a Podman machine) or on another host
 * (tcp:// or ssh:// DOCKER_HOST) has a `localhost` of its own: a `docker push localhost:5000/…`
 * typed in a terminal goes from there, not from this machine.
 *
 * NOTE(share): a self-contained detector with one entry point, `detectEngineKind`; another part
 * of Berth detects engines for the window's push path — merge the two behind this signature.
 */

export interface EngineFacts {
  info: { OperatingSystem?: string; Name?: string; KernelVersion?: string; Labels?: string[] | null; OSType?: string }
  /** The endpoint Berth talks to (`unix:///…`, `tcp://…`, `ssh://…`, `npipe://…`). */
  endpoint: string | null
  /** The platform Berth runs on: a Linux engine answering on macOS or Windows is always in a VM. */
  platform: NodeJS.Platform
}

const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i

function remoteEndpoint(endpoint: string | null): string | null {
  if (!endpoint) return null
  const m = /^(tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(endpoint)
  if (!m) return null
  return LOCAL_HOSTS.test(m[2]) ? null : m[2]
}

export function detectEngineKind(facts: EngineFacts): EngineKind {
  const { info } = facts
  const os = info.OperatingSystem ?? ''
  const name = info.Name ?? ''
  const kernel = info.KernelVersion ?? ''
  const labels = (info.Labels ?? []).join(' ')
  const endpoint = facts.endpoint ?? ''
  const evidence: string[] = []
  const said = (what: string, value: string) => evidence.push(`${what}: ${value}`)
  const vm = (kind: EngineKind['kind']): EngineKind => ({ kind, evidence, sharesLocalhost: false })

  const remote = remoteEndpoint(facts.endpoint)
  if (remote) {
    said('engine address', endpoint)
    return vm('remote')
  }
  if (/docker desktop/i.test(os) || name === 'docker-desktop' || /com\.docker\.desktop/i.test(labels)) {
    said('OperatingSystem', os)
    if (name) said('Name', name)
    return vm('docker-desktop')
  }
  if (/orbstack/i.test(os) || /orbstack/i.test(kernel) || name === 'orbstack' || /\.orbstack\//.test(endpoint)) {
    said('OperatingSystem', os)
    if (/orbstack/i.test(kernel)) said('KernelVersion', kernel)
    return vm('orbstack')
  }
  if (/rancher/i.test(os) || /rancher-desktop/i.test(name) || /\.rd\/docker\.sock/.test(endpoint)) {
    said('Name', name || os)
    return vm('rancher-desktop')
  }
  if (/^colima(-|$)/i.test(name) || /\.colima\//.test(endpoint)) {
    said('Name', name || endpoint)
    return vm('colima')
  }
  if (/podman/i.test(endpoint) && /machine/i.test(endpoint)) {
    said('engine address', endpoint)
    return vm('podman-machine')
  }
  if (/^lima-/i.test(name) || /\.lima\//.test(endpoint)) {
    said('Name', name || endpoint)
    return vm('lima')
  }
  if ((facts.platform === 'darwin' || facts.platform === 'win32') && (info.OSType ?? 'linux') === 'linux') {
    // A Podman machine answers with Fedora CoreOS; anything else is some other VM.
    said('OperatingSystem', os || 'linux')
    said('this machine', facts.platform)
    return vm(/fedora|coreos/i.test(os) || /\.fc\d+\./.test(kernel) ? 'podman-machine' : 'vm')
  }
  return { kind: 'native', evidence: [`OperatingSystem: ${os || 'unknown'}`], sharesLocalhost: true }
}

/** The name a container (and the engine) in that VM reaches this machine's loopback by. */
export function hostAlias(kind: EngineKind['kind']): string | null {
  switch (kind) {
    case 'docker-desktop':
    case 'orbstack':
    case 'rancher-desktop':
      return 'host.docker.internal'
    case 'colima':
    case 'lima':
      return 'host.lima.internal'
    case 'podman-machine':
      return 'host.containers.internal'
    default:
      return null
  }
}

export const KIND_NAMES: Record<EngineKind['kind'], string> = {
  native: 'an engine on this machine',
  'docker-desktop': 'Docker Desktop',
  colima: 'Colima',
  orbstack: 'OrbStack',
  'rancher-desktop': 'Rancher Desktop',
  'podman-machine': 'a Podman machine',
  lima: 'a Lima VM',
  vm: 'a virtual machine',
  remote: 'another host'
}
