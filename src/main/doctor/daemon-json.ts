import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EngineKind } from '@shared/model/sharing'

/*
 * The engine's configuration file and `insecure-registries` merged into what is already there:
 * every other key stays as it is (a fix must never clobber someone's mirrors, log driver or
 * data-root). Where the file lives depends on the engine.
 */

export interface EngineConfigFile {
  path: string
  /** JSON (daemon.json and OrbStack's docker.json) or Colima's YAML. */
  format: 'json' | 'colima-yaml' | 'registries-conf'
  /** How the change takes effect, one sentence. */
  apply: string
  commands: (content: string) => string[]
}

export const RESTART_MEANS =
  'Restarting the engine stops every running container (unless "live-restore": true is set) and starts again those with a restart policy; Swarm tasks on this node move elsewhere for the moment.'

export function engineConfigFile(kind: EngineKind['kind'], options: { home: string; rootless: boolean; platform: NodeJS.Platform }): EngineConfigFile {
  const { home } = options
  switch (kind) {
    case 'docker-desktop':
      return {
        path: join(home, '.docker', 'daemon.json'),
        format: 'json',
        apply: 'Docker Desktop → Settings → Docker Engine: paste the JSON and press "Apply & restart" (it restarts the VM and every container in it).',
        commands: () => []
      }
    case 'orbstack':
      return {
        path: join(home, '.orbstack', 'config', 'docker.json'),
        format: 'json',
        apply: 'OrbStack → Settings → Docker → engine configuration, or write the file, then restart the engine.',
        commands: (content) => [`tee ~/.orbstack/config/docker.json <<'EOF'\n${content}\nEOF`, 'orb restart docker']
      }
    case 'colima':
      return {
        path: join(home, '.colima', 'default', 'colima.yaml'),
        format: 'colima-yaml',
        apply: 'Colima keeps the engine settings under `docker:` in its profile; editing it restarts the VM.',
        commands: (content) => ['colima stop', `colima start --edit   # under docker:, add\n${content}`]
      }
    case 'podman-machine':
      return {
        path: '/etc/containers/registries.conf.d/berth.conf (inside the machine)',
        format: 'registries-conf',
        apply: 'Podman reads registries.conf at every pull and push: no restart.',
        commands: (content) => [`podman machine ssh "sudo tee /etc/containers/registries.conf.d/berth.conf" <<'EOF'\n${content}\nEOF`]
      }
    default:
      if (options.rootless)
        return {
          path: join(home, '.config', 'docker', 'daemon.json'),
          format: 'json',
          apply: `The rootless engine reads it at start. ${RESTART_MEANS}`,
          commands: (content) => [`mkdir -p ~/.config/docker && tee ~/.config/docker/daemon.json <<'EOF'\n${content}\nEOF`, 'systemctl --user restart docker']
        }
      if (options.platform === 'win32')
        return {
          path: 'C:\\ProgramData\\docker\\config\\daemon.json',
          format: 'json',
          apply: `dockerd reads it at start. ${RESTART_MEANS}`,
          commands: () => ['Restart-Service docker']
        }
      return {
        path: '/etc/docker/daemon.json',
        format: 'json',
        apply: `dockerd reads it at start. ${RESTART_MEANS}`,
        commands: (content) => [`sudo tee /etc/docker/daemon.json <<'EOF'\n${content}\nEOF`, 'sudo systemctl restart docker']
      }
  }
}

/**
 * The existing JSON with `address` added to `insecure-registries` (kept if there already). Throws
 * when the file exists but is not a JSON object: that must be fixed by hand first.
 */
export function mergeInsecure(existing: string | null, address: string): string {
  let config: Record<string, unknown> = {}
  if (existing !== null && existing.trim() !== '') {
    const parsed: unknown = JSON.parse(existing)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('it is not a JSON object')
    config = parsed as Record<string, unknown>
  }
  const current = Array.isArray(config['insecure-registries']) ? (config['insecure-registries'] as unknown[]) : []
  config['insecure-registries'] = current.includes(address) ? current : [...current, address]
  return JSON.stringify(config, null, 2)
}

/** The change for `address` in the engine's own file format. */
export async function insecureConfigChange(file: EngineConfigFile, address: string, read: (path: string) => Promise<string | null> = readOrNull): Promise<{ content: string; problem: string | null }> {
  if (file.format === 'colima-yaml') return { content: `  insecure-registries:\n    - ${address}`, problem: null }
  if (file.format === 'registries-conf') return { content: `[[registry]]\nlocation = "${address}"\ninsecure = true`, problem: null }
  const existing = await read(file.path)
  try {
    return { content: mergeInsecure(existing, address), problem: null }
  } catch (err) {
    return { content: JSON.stringify({ 'insecure-registries': [address] }, null, 2), problem: `${file.path} is not valid JSON (${(err as Error).message}): fix it, then add the key by hand.` }
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return null
  }
}
