import type Dockerode from 'dockerode'
import type { RegistryVolume } from '@shared/model/storage'

/** Where `registry:2` keeps its data inside the container. */
const REGISTRY_PATH = '/var/lib/registry'

function isRegistryImage(image: string): boolean {
  // registry:2, docker.io/library/registry:2.8, distribution/distribution:edge, …
  const name = image.split('@')[0].replace(/:[^/:]+$/, '')
  return /(^|\/)(registry|distribution)$/.test(name)
}

/** A volume or bind mount that may hold registry data, as the engine describes it (its folder not yet looked at). */
export type VolumeCandidate = Omit<RegistryVolume, 'repositories'> & { registryMount: boolean }

/**
 * Every Docker volume, and every bind or volume mount of a container, with the containers using
 * each; `registryMount` when a registry container mounts it at /var/lib/registry. Whether a
 * folder holds registry data is for the caller to look (the engine may be on another machine).
 */
export async function findVolumeCandidates(docker: Dockerode): Promise<VolumeCandidate[]> {
  const [{ Volumes: volumes }, containers] = await Promise.all([docker.listVolumes(), docker.listContainers({ all: true })])
  const found = new Map<string, VolumeCandidate>()
  const entry = (name: string, kind: 'volume' | 'bind', mountpoint: string | null) => {
    const key = `${kind}:${name}`
    let v = found.get(key)
    if (!v) found.set(key, (v = { name, kind, mountpoint, containers: [], registryMount: false }))
    return v
  }
  for (const vol of volumes ?? []) entry(vol.Name, 'volume', vol.Mountpoint || null)
  for (const c of containers) {
    for (const m of c.Mounts ?? []) {
      const kind = m.Type === 'bind' ? 'bind' : m.Type === 'volume' ? 'volume' : null
      if (!kind) continue
      const name = kind === 'volume' ? (m.Name ?? m.Source) : m.Source
      const v = entry(name, kind, m.Source || null)
      v.registryMount ||= m.Destination === REGISTRY_PATH && isRegistryImage(c.Image)
      v.containers.push({ id: c.Id, name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''), image: c.Image, state: c.State })
    }
  }
  return [...found.values()]
}
