import { describe, expect, it } from 'vitest'
import { BlobGuard } from './guard'

/** A clock the test sets by hand. */
function manualClock(start: number) {
  let now = start
  const clock = () => now
  clock.set = (t: number) => {
    now = t
  }
  return clock
}

describe('the blob guard', () => {
  it('protects a recent touch until a manifest references it, and everything touched during a collection', () => {
    const clock = manualClock(10_000)
    const g = new BlobGuard(1000, clock)
    g.touch('a')
    clock.set(10_500)
    expect(g.protection('a')).toBe('pushed moments ago, no manifest names it yet')
    clock.set(11_500)
    expect(g.isProtected('a')).toBe(false)
    clock.set(10_600)
    g.referencedBy(['a'])
    clock.set(10_700)
    expect(g.isProtected('a')).toBe(false)

    clock.set(20_000)
    g.beginCollection()
    clock.set(20_001)
    g.touch('a')
    g.referencedBy(['a'])
    // Referenced while a collection runs: that collection may have scanned before the links existed.
    g.referencedBy(['b'])
    clock.set(99_000)
    expect(g.protection('a')).toBe('touched during the collection')
    expect(g.isProtected('b')).toBe(true)
    g.endCollection()
    expect(g.isProtected('a')).toBe(false)
    expect(g.protection('never-seen')).toBe(null)
  })

  it('serialises work on one digest and lets others run', async () => {
    const g = new BlobGuard()
    const order: string[] = []
    const slow = g.withLock('x', async () => {
      await new Promise((r) => setTimeout(r, 30))
      order.push('x1')
    })
    const other = g.withLock('y', async () => order.push('y'))
    const next = g.withLock('x', async () => order.push('x2'))
    await Promise.all([slow, other, next])
    expect(order).toEqual(['y', 'x1', 'x2'])
  })

  it('a failed piece of work does not block the next one on the same digest', async () => {
    const g = new BlobGuard()
    await expect(g.withLock('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(g.withLock('x', async () => 'ran')).resolves.toBe('ran')
  })
})
