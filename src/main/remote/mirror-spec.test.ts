import { describe, expect, it } from 'vitest'
import { mirrorAdvice, parseMirrorSpec, routeOf } from './mirror-spec'

describe('mirror specs', () => {
  it('parses <url>[=<prefix>] and routes names by prefix, then to the catch-all', () => {
    const hub = parseMirrorSpec('https://registry-1.docker.io')
    const team = parseMirrorSpec('http://127.0.0.1:5001=team')
    expect(hub).toEqual({ url: 'https://registry-1.docker.io', registry: 'docker.io', tlsVerify: true, prefix: null })
    expect(team).toEqual({ url: 'http://127.0.0.1:5001', registry: '127.0.0.1:5001', tlsVerify: false, prefix: 'team' })
    expect(routeOf([team, hub], 'team/app')).toEqual({ spec: team, upstreamName: 'app' })
    expect(routeOf([team, hub], 'busybox')).toEqual({ spec: hub, upstreamName: 'library/busybox' })
    expect(routeOf([team], 'other/app')).toBeNull()
    expect(() => parseMirrorSpec('ftp://x')).toThrow(/http/)
    expect(() => parseMirrorSpec('http://x=Bad')).toThrow(/prefix/)
  })

  it('offers the daemon.json line for Docker Hub and the prefixed form for the others', () => {
    const lines = mirrorAdvice([parseMirrorSpec('https://registry-1.docker.io'), parseMirrorSpec('https://registry.team.example:5000=team')], 'localhost:5000')
    expect(lines.join('\n')).toContain('"registry-mirrors": ["http://localhost:5000"]')
    expect(lines.join('\n')).toMatch(/Docker Hub only/)
    expect(lines.join('\n')).toContain('localhost:5000/team/<repo>')
  })
})
