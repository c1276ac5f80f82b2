import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dockerConfigCredentials, parseCredentialFlag } from './credentials'

// Credentials as the docker CLI finds them, from real config files and a real helper program.

function config(json: unknown, helperScript?: string): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'berth-creds-'))
  writeFileSync(join(dir, 'config.json'), JSON.stringify(json))
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: dir }
  if (helperScript) {
    writeFileSync(join(dir, 'docker-credential-unit'), helperScript)
    chmodSync(join(dir, 'docker-credential-unit'), 0o755)
    env.PATH = `${dir}:${process.env.PATH}`
  }
  return env
}

const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('docker credentials', () => {
  it('reads auths by host, by a URL key, identity tokens, and Docker Hub under https://index.docker.io/v1/', async () => {
    const lookup = dockerConfigCredentials(
      config({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
          'https://reg.example:5000/v1/': { auth: b64('u:p') },
          'ghcr.io': { identitytoken: 'refresh-abc' }
        }
      })
    )
    expect(await lookup('docker.io')).toEqual({ username: 'hubuser', password: 'hub:pass' })
    expect(await lookup('reg.example:5000')).toEqual({ username: 'u', password: 'p' })
    expect(await lookup('ghcr.io')).toEqual({ identityToken: 'refresh-abc' })
    expect(await lookup('other.example')).toBeNull()
  })

  it('runs credHelpers / credsStore helpers with the server on stdin; "<token>" users are identity tokens', async () => {
    const script = ['#!/bin/sh', 'read -r s', 'echo "$1 $s" >> "$DOCKER_CONFIG/asked"', 'case "$s" in', '  reg.example) echo \'{"Username":"h","Secret":"hs"}\';;', '  tok.example) echo \'{"Username":"<token>","Secret":"rt"}\';;', '  *) echo "credentials not found in native keychain"; exit 1;;', 'esac', ''].join('\n')
    const env = config({ credHelpers: { 'reg.example': 'unit' }, credsStore: 'unit', auths: { 'fallback.example': { auth: b64('f:g') } } }, script)
    const lookup = dockerConfigCredentials(env)
    expect(await lookup('reg.example')).toEqual({ username: 'h', password: 'hs' })
    expect(await lookup('tok.example')).toEqual({ identityToken: 'rt' })
    expect(await lookup('fallback.example')).toEqual({ username: 'f', password: 'g' })
    expect(readFileSync(join(env.DOCKER_CONFIG!, 'asked'), 'utf8').trim().split('\n')).toEqual(['get reg.example', 'get tok.example', 'get fallback.example'])
  })

  it('parses user:password flags, keeping colons in the password', () => {
    expect(parseCredentialFlag('me:a:b')).toEqual({ username: 'me', password: 'a:b' })
    expect(() => parseCredentialFlag('nopassword')).toThrow()
  })
})
