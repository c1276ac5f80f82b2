import { describe, expect, it } from 'vitest'
import { bindAddressProblem, bindScope, describeBindAddress } from './bind-address'

describe('bind addresses', () => {
  it('takes IPv4 and IPv6 literals and localhost', () => {
    for (const ok of ['127.0.0.1', '0.0.0.0', '10.212.0.1', '::', '::1', 'fe80::1', 'localhost']) expect(bindAddressProblem(ok), ok).toBeNull()
  })
  it('refuses what cannot be an address of this machine, in one sentence', () => {
    for (const bad of ['999.1.1.1', '1.2.3', '256.0.0.1', 'example.com', '127.0.0.1:5000', 'http://0.0.0.0', ':::', '']) {
      const problem = bindAddressProblem(bad)
      expect(problem?.endsWith('.'), bad).toBe(true)
      expect(problem, bad).toMatch(/127\.0\.0\.1/)
    }
    expect(bindAddressProblem('999.1.1.1')).toBe('999.1.1.1 is not an IP address: use 127.0.0.1 (this machine only), 0.0.0.0 (every network) or one of this machine\'s addresses.')
  })
  it('says what each address means: loopback stays here, anything else shares the registry', () => {
    expect(bindScope('127.0.0.1')).toBe('loopback')
    expect(bindScope('127.3.2.1')).toBe('loopback')
    expect(bindScope('::1')).toBe('loopback')
    expect(bindScope('0.0.0.0')).toBe('all')
    expect(bindScope('::')).toBe('all')
    expect(bindScope('10.212.0.1')).toBe('interface')
    expect(describeBindAddress('127.0.0.1')).toMatch(/this machine only/i)
    expect(describeBindAddress('0.0.0.0')).toMatch(/shares the registry with the network/)
    expect(describeBindAddress('10.212.0.1')).toMatch(/10\.212\.0\.1.*shares the registry/)
  })
})
