import type Dockerode from 'dockerode'
import type { RegistryVolume } from '@shared/model/storage'
import { inspectFolder } from '../storage/folders'

/** Where `registry:2` keeps its data inside the container. */
const REGISTRY_PATH = '/var/lib/registry'

function isRegistryImage(image: string): boolean {
  // registry:2, docker.io/library/registry:2.8, distribution/distribution:edge, …
  const name = image.split('@')[0].replace(/:[^/:]+$/, '')
  return /(^|\/)(registry|distribution)$/.test(name)
}

/**
 * Docker volumes and bind mounts holding registry data: every volume whose folder has a
 * `docker/registry/v2` tree (readable when the engine is on this machine), and whatever a
 * registry container mounts at /var/lib/registry, with the containers that use each.
 */
export async function findRegistryVolumes(docker: Dockerode): Promise<RegistryVolume[]> {
  const [{ Volumes: volumes }, containers] = await Promise.all([docker.listVolumes(), docker.listContainers({ all: true })])
  const found = new Map<string, RegistryVolume & { registryMount: boolean }>()
  const entry = (name: string, kind: 'volume' | 'bind', mountpoint: string | null) => {
    const key = `${kind}:${name}`
    let v = found.get(key)
    if (!v) found.set(key, (v = { name, kind, mountpoint, containers: [], repositories: null, registryMount: false }))
    return v
  }
  for (const vol of volumes ?? []) entry(vol.Name, 'volume', vol.Mountpoint || null)
  for (const c of containers) {
    for (const m of c.Mounts ?? []) {
      const kind = m.Type === 'bind' ? 'bind' : m.Type === 'volume' ? 'volume' : null
      if (!kind) continue
      const name = kind === 'volume' ? (m.Name ?? m.Source) : m.Source
      const v = entry(name, kind, m.Source || null)
      const registryMount = m.Destination === REGISTRY_PATH && isRegistryImage(c.Image)
      v.registryMount ||= registryMount
      v.containers.push({ id: c.Id, name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''), image: c.Image, state: c.State })
    }
  }
  const out: RegistryVolume[] = []
  for (const v of found.values()) {
    let repositories: number | null = null
    let local = false
    if (v.mountpoint) {
      const info = await inspectFolder(v.mountpoint).catch(() => null)
      if (info?.exists) local = true
      if (info?.isRegistry) repositories = info.repositories
    }
    if (repositories === null && !v.registryMount) continue
    const { registryMount: _r, ...rest } = v
    out.push({ ...rest, mountpoint: local ? v.mountpoint : null, repositories })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}
