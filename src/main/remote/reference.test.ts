import { describe, expect, it } from 'vitest'
import { hasRegistryHost, isLoopbackHost, parseImageReference } from './reference'

describe('image references', () => {
  it('applies docker’s host rule: ".", ":" or localhost in the first component', () => {
    expect(hasRegistryHost('team/app:1')).toBe(false)
    expect(hasRegistryHost('ghcr.io/team/app')).toBe(true)
    expect(hasRegistryHost('localhost/app')).toBe(true)
    expect(hasRegistryHost('reg:5000/app')).toBe(true)
    expect(hasRegistryHost('app:1.2')).toBe(false)
  })

  it('parses remote and local references, Docker Hub’s library/ and the latest default', () => {
    expect(parseImageReference('127.0.0.1:5000/team/app:1.2')).toEqual({ registry: '127.0.0.1:5000', repository: 'team/app', tag: '1.2', digest: null })
    expect(parseImageReference('docker.io/busybox')).toEqual({ registry: 'docker.io', repository: 'library/busybox', tag: 'latest', digest: null })
    expect(parseImageReference('index.docker.io/team/x:1').registry).toBe('docker.io')
    const d = 'sha256:' + 'a'.repeat(64)
    expect(parseImageReference(`team/app@${d}`)).toEqual({ registry: null, repository: 'team/app', tag: null, digest: d })
    expect(parseImageReference('app')).toEqual({ registry: null, repository: 'app', tag: 'latest', digest: null })
  })

  it('says what is wrong with a bad reference', () => {
    expect(() => parseImageReference('Team/App:1')).toThrow(/not a repository name/)
    expect(() => parseImageReference('app:-x')).toThrow(/not a tag/)
    expect(() => parseImageReference('app@sha256:12')).toThrow(/digest/)
  })

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('localhost:5000')).toBe(true)
    expect(isLoopbackHost('127.0.0.1:80')).toBe(true)
    expect(isLoopbackHost('[::1]:5000')).toBe(true)
    expect(isLoopbackHost('registry.example:5000')).toBe(false)
  })
})
