import { readdir, readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { rootCertificates } from 'node:tls'

// Custom TLS per registry, as containers/image (skopeo, podman) and the Docker engine read it: a
// folder named `host[:port]` in a certs.d directory holding `*.crt` (CAs that sign the registry's
// certificate) and `client.cert` + `client.key` pairs. The first directory that has a folder for the
// host wins (containers-certs.d(5)); `BERTH_CERTS_D` (":"-separated) goes before them all.

export interface RegistryTls {
  /** Extra CAs, added to Node's own roots (never replacing them). */
  ca?: string[]
  cert?: string
  key?: string
  /** Where they came from, for error messages. */
  dir?: string
}

export function certsDirectories(env: NodeJS.ProcessEnv = process.env): string[] {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config')
  return [
    ...(env.BERTH_CERTS_D ? env.BERTH_CERTS_D.split(':').filter(Boolean) : []),
    join(config, 'containers', 'certs.d'),
    '/etc/containers/certs.d',
    '/etc/docker/certs.d'
  ]
}

/** The TLS material for `registry` (`host[:port]`), or {} when no certs.d folder names it. */
export async function tlsFor(registry: string, dirs = certsDirectories()): Promise<RegistryTls> {
  for (const base of dirs) {
    const dir = join(base, registry)
    let files: string[]
    try {
      files = (await readdir(dir)).sort()
    } catch {
      continue
    }
    const out: RegistryTls = { dir }
    const cas = await Promise.all(files.filter((f) => f.endsWith('.crt')).map((f) => readFile(join(dir, f), 'utf8')))
    if (cas.length > 0) out.ca = [...rootCertificates, ...cas]
    const cert = files.find((f) => f.endsWith('.cert'))
    if (cert) {
      const key = `${cert.slice(0, -'.cert'.length)}.key`
      if (files.includes(key)) {
        out.cert = await readFile(join(dir, cert), 'utf8')
        out.key = await readFile(join(dir, key), 'utf8')
      }
    }
    return out
  }
  return {}
}
