import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { DOCKER_HUB } from './reference'

// Registry credentials, found as the docker CLI finds them (cli/config/configfile): `credHelpers`
// for this host, else `credsStore`, else `auths` in `$DOCKER_CONFIG/config.json` (default
// `~/.docker/config.json`). Docker Hub's entries live under `https://index.docker.io/v1/`.
// Nothing here ever logs or persists a secret.

export interface Credential {
  username?: string
  password?: string
  /** An OAuth refresh token (`identitytoken`, or a helper's `<token>` user): exchanged at the token realm. */
  identityToken?: string
}

/** Finds the credential for a registry (`host[:port]`, `docker.io` for Docker Hub), or null. */
export type CredentialLookup = (registry: string) => Promise<Credential | null>

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>
  credsStore?: string
  credHelpers?: Record<string, string>
}

export function dockerConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker')
  return join(dir, 'config.json')
}

/** `user:pass` as given on a command line (`--src-creds`); the password may itself hold ":". */
export function parseCredentialFlag(text: string): Credential {
  const colon = text.indexOf(':')
  if (colon <= 0) throw new Error('credentials are user:password')
  return { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

/** The name docker uses for a registry in its config (Docker Hub has its historical URL). */
export function configKeyOf(registry: string): string {
  return registry === DOCKER_HUB.name ? DOCKER_HUB.configKey : registry
}

/** `https://host:port/v1/` → `host:port`, as the CLI's ConvertToHostname does for `auths` keys. */
export function hostnameOfKey(key: string): string {
  const stripped = key.replace(/^https?:\/\//, '')
  return stripped.split('/')[0]
}

function fromAuthEntry(entry: NonNullable<DockerConfig['auths']>[string]): Credential | null {
  const out: Credential = {}
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) {
      out.username = decoded.slice(0, colon)
      out.password = decoded.slice(colon + 1)
    }
  }
  if (entry.username && !out.username) out.username = entry.username
  if (entry.password && !out.password) out.password = entry.password
  if (entry.identitytoken) out.identityToken = entry.identitytoken
  return out.username || out.identityToken ? out : null
}

/**
 * Runs `docker-credential-<helper> get` with the server URL on stdin, as the CLI does. A helper that
 * knows nothing of the server exits non-zero ("credentials not found"): that reads as no credential.
 */
export function runCredentialHelper(helper: string, serverUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<Credential | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${helper}`, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.resume()
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`the credential helper docker-credential-${helper} could not be run (${(err as NodeJS.ErrnoException).code ?? err.message}); install it or remove it from ${'config.json'}`))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code !== 0) return resolve(null)
      try {
        const parsed = JSON.parse(out) as { Username?: string; Secret?: string }
        if (!parsed.Secret) return resolve(null)
        resolve(parsed.Username === '<token>' ? { identityToken: parsed.Secret } : { username: parsed.Username, password: parsed.Secret })
      } catch {
        reject(new Error(`the credential helper docker-credential-${helper} answered something that is not JSON`))
      }
    })
    child.stdin.end(serverUrl)
  })
}

/** Credentials from the docker CLI's configuration, read afresh at each lookup (a `docker login` meanwhile counts). */
export function dockerConfigCredentials(env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  return async (registry) => {
    let config: DockerConfig
    try {
      config = JSON.parse(await readFile(dockerConfigFile(env), 'utf8')) as DockerConfig
    } catch {
      return null
    }
    const key = configKeyOf(registry)
    const helper = config.credHelpers?.[key] ?? config.credHelpers?.[registry]
    if (helper) return runCredentialHelper(helper, key, env)
    if (config.credsStore) {
      const found = await runCredentialHelper(config.credsStore, key, env)
      if (found) return found
    }
    const auths = config.auths ?? {}
    const entry = auths[key] ?? Object.entries(auths).find(([k]) => hostnameOfKey(k) === hostnameOfKey(key))?.[1]
    return entry ? fromAuthEntry(entry) : null
  }
}

/** The first lookup that knows the registry wins (flags, then saved registries, then docker's config). */
export function firstOf(...lookups: (CredentialLookup | undefined)[]): CredentialLookup {
  return async (registry) => {
    for (const lookup of lookups) {
      const found = lookup ? await lookup(registry) : null
      if (found) return found
    }
    return null
  }
}

/** A fixed credential for one registry (a `--creds` flag). */
export function fixedCredential(registry: string, credential: Credential): CredentialLookup {
  return async (r) => (r === registry ? credential : null)
}
