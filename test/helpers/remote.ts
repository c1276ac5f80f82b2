import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from './berth'
export { berth, type BerthRun } from './berth'
import { startDistribution, type RunningDistribution } from './distribution'
import { run } from './run'

// A second registry with accounts (Distribution 2.8 with auth.htpasswd, the file made by Apache's
// `htpasswd -B`), and `berth` run as its own process with its own environment.

export interface AuthDistribution extends RunningDistribution {
  user: string
  password: string
  /** `Authorization: Basic …` for raw API checks. */
  basic: string
}

export async function startHtpasswdDistribution(user = 'alice', password = 'S3cret-pass:with-colon'): Promise<AuthDistribution> {
  const dir = await tempDir('berth-remote-auth-')
  const htpasswd = join(dir, 'htpasswd')
  await run('htpasswd', ['-Bbc', htpasswd, user, password])
  const dist = await startDistribution(join(dir, 'data'), {
    extraConfig: ['auth:', '  htpasswd:', '    realm: berth-remote-test', `    path: ${htpasswd}`]
  })
  return { ...dist, user, password, basic: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
}

/** A DOCKER_CONFIG folder holding `config` as its config.json. */
export async function dockerConfigDir(config: unknown): Promise<string> {
  const dir = await tempDir('berth-remote-dockercfg-')
  await writeFile(join(dir, 'config.json'), JSON.stringify(config))
  return dir
}

/**
 * A `docker-credential-<name>` helper on a PATH folder: answers `get` for `server` with the
 * credentials, as the docker CLI's helpers do, and records the server URL it was asked for.
 */
export async function credentialHelper(name: string, server: string, user: string, secret: string): Promise<{ pathDir: string; askedFile: string }> {
  const pathDir = await tempDir('berth-remote-helper-')
  const askedFile = join(pathDir, 'asked')
  await mkdir(pathDir, { recursive: true })
  const script = [
    '#!/bin/sh',
    '[ "$1" = get ] || exit 1',
    'read -r server',
    `printf '%s\\n' "$server" >> '${askedFile}'`,
    `if [ "$server" = '${server}' ]; then`,
    `  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$server" '${user}' '${secret}'`,
    'else',
    '  echo "credentials not found in native keychain"; exit 1',
    'fi',
    ''
  ].join('\n')
  const file = join(pathDir, `docker-credential-${name}`)
  await writeFile(file, script)
  await chmod(file, 0o755)
  return { pathDir, askedFile }
}

/** A manifest as the registry serves it, with credentials: its digest header and the sha256 of its bytes. */
export async function remoteDigest(url: string, name: string, reference: string, authorization?: string): Promise<{ status: number; header: string | null; bytes: Buffer }> {
  const res = await fetch(`${url}/v2/${name}/manifests/${reference}`, {
    headers: {
      Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json',
      ...(authorization ? { Authorization: authorization } : {})
    }
  })
  return { status: res.status, header: res.headers.get('docker-content-digest'), bytes: Buffer.from(await res.arrayBuffer()) }
}
