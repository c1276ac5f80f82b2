import { describe, expect, it } from 'vitest'
import { isValidName, isValidTag, parseDigest, splitImageReference } from './reference'

const hex64 = 'a'.repeat(64)

describe('repository names', () => {
  it.each([
    ['library/busybox', true],
    ['a', true],
    ['team/my-app', true],
    ['a__b/c.d/e---f', true],
    ['a_b', true],
    ['0/1/2', true],
    ['UPPER', false],
    ['-lead', false],
    ['trail-', false],
    ['a//b', false],
    ['/a', false],
    ['a/', false],
    ['..', false],
    ['a/../b', false],
    ['a/./b', false],
    ['a___b', false],
    ['a b', false],
    ['a%2Fb', false],
    ['', false],
    ['a'.repeat(255), true],
    ['a'.repeat(256), false]
  ])('%s → %s', (name, ok) => expect(isValidName(name)).toBe(ok))
})

describe('tags', () => {
  it.each([
    ['latest', true],
    ['v1.2.3', true],
    ['_x', true],
    ['A-b_C.d', true],
    ['.hidden', false],
    ['-x', false],
    ['a/b', false],
    ['a:b', false],
    ['', false],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false]
  ])('%s → %s', (tag, ok) => expect(isValidTag(tag)).toBe(ok))
})

describe('digests', () => {
  it('parses sha256 and sha512', () => {
    expect(parseDigest(`sha256:${hex64}`)).toEqual({ algorithm: 'sha256', hex: hex64, value: `sha256:${hex64}` })
    expect(parseDigest(`sha512:${'b'.repeat(128)}`)).toMatchObject({ algorithm: 'sha512' })
  })
  it.each([
    [`sha256:${'a'.repeat(63)}`, 'malformed'],
    [`sha256:${'A'.repeat(64)}`, 'malformed'],
    [`sha512:${hex64}`, 'malformed'],
    ['sha256', 'malformed'],
    ['sha256:', 'malformed'],
    [`sha256:../${hex64}`, 'malformed'],
    [`SHA256:${hex64}`, 'malformed'],
    [`md5:${'a'.repeat(32)}`, 'unsupported'],
    [`blake3:${hex64}`, 'unsupported'],
    [`constructor:${hex64}`, 'unsupported']
  ])('%s → %s', (text, problem) => expect(parseDigest(text)).toBe(problem))
})

describe('image references, as docker splits them', () => {
  it.each([
    ['localhost:5000/team/app:1.2', { repository: 'team/app', tag: '1.2', digest: null }],
    ['team/app', { repository: 'team/app', tag: null, digest: null }],
    ['docker.io/library/busybox:latest', { repository: 'busybox', tag: 'latest', digest: null }],
    ['registry.example:443/x/y@sha256:abc', { repository: 'x/y', tag: null, digest: 'sha256:abc' }],
    ['library/nginx', { repository: 'library/nginx', tag: null, digest: null }]
  ])('%s', (text, expected) => expect(splitImageReference(text)).toEqual(expected))
})

describe('advice while typing a name or tag', () => {
  it('says what to fix, and nothing when it is fine', async () => {
    const { repositoryProblem, tagProblem, formatReference, digestOrNull } = await import('./reference')
    expect(repositoryProblem('')).toMatch(/Name the repository/)
    expect(repositoryProblem('Team/App')).toMatch(/lowercase/)
    expect(repositoryProblem('team/app')).toBeNull()
    expect(tagProblem('-x')).toMatch(/not starting with/)
    expect(tagProblem('v1.2')).toBeNull()
    const digest = `sha256:${'a'.repeat(64)}`
    expect(formatReference('localhost:5000', 'team/app', digest)).toBe(`localhost:5000/team/app@${digest}`)
    expect(formatReference('localhost:5000', 'team/app', 'v1')).toBe('localhost:5000/team/app:v1')
    expect(digestOrNull('v1')).toBeNull()
    expect(digestOrNull(digest)?.hex).toBe('a'.repeat(64))
  })
})
