import { describe, expect, expectTypeOf, it } from 'vitest'
import { EVENT_NAMES, METHOD_NAMES, events, methods, type Api, type ApiOutput, type BerthBridge } from './index'
import * as channels from './channels'

describe('the contract', () => {
  it('keeps the method names scripts rely on, all named <area>.<verb>', () => {
    for (const name of ['registry.status', 'registry.start', 'registry.stop', 'catalog.repositories', 'catalog.tags', 'catalog.manifest', 'catalog.deleteTag', 'docker.status', 'docker.images', 'docker.tag', 'docker.push', 'docker.pull', 'transfers.cancel'])
      expect(METHOD_NAMES).toContain(name)
    for (const name of [...METHOD_NAMES, ...EVENT_NAMES]) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/)
  })
  it('names in channels.ts (all the preload bundles) are exactly the contract\'s methods and events', () => {
    expect([...channels.METHOD_NAMES].sort()).toEqual(Object.keys(methods).sort())
    expect([...channels.EVENT_NAMES].sort()).toEqual(Object.keys(events).sort())
  })
  it('documents every method and event', () => {
    for (const m of Object.values(methods)) expect(m.doc.length).toBeGreaterThan(10)
    for (const e of Object.values(events)) expect(e.doc.length).toBeGreaterThan(10)
  })
  it('validates docker.push input as the issue words it', () => {
    expect(methods['docker.push'].input.safeParse({ image: 'app:1.2', repository: 'team/app', tag: '1.2' }).success).toBe(true)
    expect(methods['docker.push'].input.safeParse({ image: 'app:1.2', repository: 'Team/App', tag: '1.2' }).success).toBe(false)
    expect(methods['docker.push'].input.safeParse({ image: 'app:1.2', repository: 'team/app', tag: '-x' }).success).toBe(false)
  })
  it('derives types: a service missing a method, or a bridge call with the wrong input, does not compile', () => {
    expectTypeOf<ApiOutput<'docker.push'>>().toEqualTypeOf<{ transferId: string; reference: string }>()
    // @ts-expect-error — an Api without every method is a type error
    const partial: Api = { 'registry.status': async () => ({}) as ApiOutput<'registry.status'> }
    void partial
    const bridge = {} as BerthBridge
    // @ts-expect-error — docker.push needs image, repository and tag
    void (() => bridge.invoke('docker.push', { image: 'x' }))
    // @ts-expect-error — not a method of the contract
    void (() => bridge.invoke('registry.explode'))
  })
})
