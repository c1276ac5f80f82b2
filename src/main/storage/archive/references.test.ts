import { describe, expect, it } from 'vitest'
import { parseImageName } from './references'

const H = 'a'.repeat(64)

describe('parseImageName', () => {
  it.each([
    ['team/app:1', { repository: 'team/app', tag: '1', digest: null }],
    ['team/app', { repository: 'team/app', tag: null, digest: null }],
    ['localhost:5000/team/app:1', { repository: 'team/app', tag: '1', digest: null }],
    ['localhost/app', { repository: 'app', tag: null, digest: null }],
    ['registry.example.com/team/app:v2', { repository: 'team/app', tag: 'v2', digest: null }],
    ['docker.io/library/busybox:latest', { repository: 'busybox', tag: 'latest', digest: null }],
    ['docker.io/team/app:1', { repository: 'team/app', tag: '1', digest: null }],
    // A single component is a repository even with a dot in it.
    ['my.app:1', { repository: 'my.app', tag: '1', digest: null }]
  ])('%s', (text, expected) => {
    expect(parseImageName(text)).toEqual(expected)
  })

  it('keeps a digest, with or without a tag', () => {
    expect(parseImageName(`team/app@sha256:${H}`)).toMatchObject({ repository: 'team/app', tag: null, digest: { value: `sha256:${H}` } })
    expect(parseImageName(`localhost:5000/team/app:1@sha256:${H}`)).toMatchObject({ repository: 'team/app', tag: '1' })
  })

  it.each([
    ['Team/App:1', /not a valid image name/],
    ['team/app:-x', /invalid tag/],
    ['team/app@sha256:abc', /malformed digest/],
    ['', /not a valid image name/]
  ])('refuses %j with a sentence', (text, pattern) => {
    expect(parseImageName(text)).toMatch(pattern)
  })
})
