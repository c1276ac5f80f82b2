import { describe, expect, it } from 'vitest'
import { naturalCompare, versionCompare } from './order'

describe('orders for names', () => {
  it('sorts names naturally: repo-2 before repo-10', () => {
    expect(['repo-10', 'repo-2', 'repo-1', 'Repo-3'].sort(naturalCompare)).toEqual(['repo-1', 'repo-2', 'Repo-3', 'repo-10'])
  })

  it('sorts versions by their numbers, prereleases before their release, the rest after', () => {
    const tags = ['latest', 'v1.400', 'v1.45', '1.0.0', '1.0.0-rc.10', '1.0.0-rc.2', '1.0.0-alpha', 'v1.45.1', 'main', '2', '1.0.0-rc.2+build.5', 'v10.0']
    expect([...tags].sort(versionCompare)).toEqual(['1.0.0-alpha', '1.0.0-rc.2', '1.0.0-rc.2+build.5', '1.0.0-rc.10', '1.0.0', 'v1.45', 'v1.45.1', 'v1.400', '2', 'v10.0', 'latest', 'main'])
  })

  it('is a total order (antisymmetric) on a mixed set', () => {
    const tags = ['v1.2', '1.2', '1.2.0', 'v1.2.0-rc.1', 'x', 'v1.2-beta', '0.9']
    for (const a of tags) for (const b of tags) expect(Math.sign(versionCompare(a, b)) + Math.sign(versionCompare(b, a))).toBe(0)
  })
})
