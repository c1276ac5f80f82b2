import { describe, expect, it } from 'vitest'
import { parseChallenges, preferredChallenge } from './www-authenticate'

describe('WWW-Authenticate', () => {
  it('reads Docker Hub’s Bearer challenge with a quoted scope holding ":" and ","', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"')
    expect(c).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull,push' }
    })
  })

  it('reads Basic, unquoted values, escapes, odd spacing and several challenges', () => {
    expect(parseChallenges('Basic realm="Registry \\"Realm\\""')).toEqual([{ scheme: 'basic', params: { realm: 'Registry "Realm"' } }])
    const all = parseChallenges('Negotiate abc==, Basic realm=x , Bearer  realm = "https://a/t" ,error="invalid_token"')
    expect(all.map((c) => c.scheme)).toEqual(['negotiate', 'basic', 'bearer'])
    expect(all[2].params).toEqual({ realm: 'https://a/t', error: 'invalid_token' })
    expect(preferredChallenge(['Basic realm="r"', 'Bearer realm="https://t"'])?.scheme).toBe('bearer')
    expect(preferredChallenge(undefined)).toBeNull()
  })
})
