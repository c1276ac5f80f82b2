import { describe, expect, it } from 'vitest'
import { defaultTag, formatBytes, formatRelative, mediaTypeLabel, shortDigest, suggestRepository } from './format'
import { splitImageReference as splitImageRef } from '@shared/reference'

describe('formatting', () => {
  it('prints sizes as docker does', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1_234_000)).toBe('1.2 MB')
    expect(formatBytes(265_000)).toBe('265 kB')
    expect(formatBytes(null)).toBe('—')
  })

  it('prints times relative to now', () => {
    const now = Date.parse('2026-11-24T12:00:00Z')
    expect(formatRelative('2026-11-24T11:59:50Z', now)).toBe('just now')
    expect(formatRelative('2026-11-24T11:55:00Z', now)).toBe('5 min ago')
    expect(formatRelative('2026-11-24T09:00:00Z', now)).toBe('3 h ago')
    expect(formatRelative('2026-11-23T12:00:00Z', now)).toBe('1 day ago')
    // Older: the day alone, no time of day (a table's Created column holds it whole).
    const march = formatRelative('2026-03-22T09:30:00Z', now)
    expect(march).toMatch(/2026/)
    expect(march).not.toMatch(/\d:\d\d/)
  })

  it('shortens digests and names media types', () => {
    expect(shortDigest('sha256:0123456789abcdef0123')).toBe('sha256:0123456789ab')
    expect(mediaTypeLabel('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('Docker layer (tar+gzip)')
    expect(mediaTypeLabel('application/x-custom')).toBe('application/x-custom')
  })

  it('splits image references the way docker does', () => {
    expect(splitImageRef('localhost:5000/team/app:1.2')).toEqual({ repository: 'team/app', tag: '1.2', digest: null })
    expect(splitImageRef('app')).toEqual({ repository: 'app', tag: null, digest: null })
    expect(splitImageRef('docker.io/library/nginx:1.27')).toEqual({ repository: 'nginx', tag: '1.27', digest: null })
    expect(splitImageRef('team/app@sha256:abc')).toEqual({ repository: 'team/app', tag: null, digest: 'sha256:abc' })
  })

  it('suggests a valid repository and the image’s own tag', () => {
    expect(suggestRepository('My_Org/Web App:3')).toBe('my_org/web-app')
    expect(suggestRepository('sha256:' + 'a'.repeat(64))).toBe('')
    expect(defaultTag('app:1.2')).toBe('1.2')
    expect(defaultTag('app')).toBe('latest')
  })
})
