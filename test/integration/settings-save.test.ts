import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/berth'
import { freePort } from '../helpers/distribution'
import { startService } from '../helpers/service-harness'

// Settings saved through the real service and its embedded registry (issue 14, defect 1): a save that
// fails changes nothing — settings.get is as before and the registry that was serving still serves —
// and a save that succeeds restarts the registry on the new settings.

describe('saving settings', () => {
  let s: Awaited<ReturnType<typeof startService>>
  let holder: Server
  let busyPort = 0
  const dirs: string[] = []

  beforeAll(async () => {
    s = await startService()
    dirs.push(s.dataDir)
    holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()))
    busyPort = (holder.address() as { port: number }).port
  })
  afterAll(async () => {
    holder?.close()
    await s?.service.dispose()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  /** The registry as a client sees it: /v2/ answers 200 on this port. */
  const serves = async (port: number) => (await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => null))?.status === 200

  async function expectUnchanged(before: Awaited<ReturnType<typeof s.call<'settings.get'>>>, port: number) {
    expect(await s.call('settings.get')).toEqual(before)
    expect(await s.call('registry.status')).toMatchObject({ state: 'running', port, error: null })
    expect(await serves(port)).toBe(true)
  }

  it('a port in use: refused with advice, nothing stopped, nothing saved', async () => {
    const before = await s.call('settings.get')
    const since = s.mark()
    const e = await s.fail('settings.update', { port: busyPort })
    expect(e.code).toBe('PORT_IN_USE')
    expect(e.message).toContain(String(busyPort))
    await expectUnchanged(before, before.port)
    // The registry never stopped: not even a status event.
    expect(s.events('registry.status', since)).toEqual([])
  })

  it('an address that is not an IP address (999.1.1.1) is refused at the boundary, as the CLI refuses it', async () => {
    const before = await s.call('settings.get')
    const e = await s.fail('settings.update', { host: '999.1.1.1' })
    expect(e.code).toBe('INVALID_INPUT')
    expect(e.message).toContain('999.1.1.1 is not an IP address')
    await expectUnchanged(before, before.port)
  })

  it('an address of no interface of this machine: refused before the registry stops', async () => {
    const before = await s.call('settings.get')
    const since = s.mark()
    // TEST-NET-3 (RFC 5737): never an address of this machine; only bound, never sent to.
    const e = await s.fail('settings.update', { host: '203.0.113.7' })
    expect(e.code).toBe('ADDRESS_UNAVAILABLE')
    await expectUnchanged(before, before.port)
    expect(s.events('registry.status', since)).toEqual([])
  })

  it('a folder that cannot be made (/proc/nope): refused at once, nothing changed', async () => {
    if (!existsSync('/proc/self')) return
    const before = await s.call('settings.get')
    const e = await s.fail('settings.update', { dataDir: '/proc/nope' })
    expect(e.code).toBe('FOLDER_NOT_WRITABLE')
    await expectUnchanged(before, before.port)
  })

  it('a failure only a restart finds (a missing certificate when shared): the old settings come back and serve again', async () => {
    const before = await s.call('settings.get')
    const since = s.mark()
    const e = await s.fail('settings.update', { host: '0.0.0.0', tlsCert: '/nonexistent/berth.crt', tlsKey: '/nonexistent/berth.key' })
    expect(e.message).toMatch(/certificate or key file/)
    await expectUnchanged(before, before.port)
    // This one was only found by restarting: the registry did stop, and was started again on the old settings.
    expect(s.events('registry.status', since).map((x) => x.state)).toContain('stopping')
    // It ends running on the old settings, however it got there.
    expect(s.events('registry.status', since).at(-1)).toMatchObject({ state: 'running', host: before.host, port: before.port, error: null })
  })

  it('a save that succeeds restarts the registry on the new port; saving the old one back serves there again', async () => {
    const before = await s.call('settings.get')
    const port = await freePort()
    const next = await s.call('settings.update', { port })
    expect(next.port).toBe(port)
    expect(await s.call('settings.get')).toEqual(next)
    expect(await s.call('registry.status')).toMatchObject({ state: 'running', port })
    expect(await serves(port)).toBe(true)
    expect(await serves(before.port)).toBe(false)

    expect((await s.call('settings.update', { port: before.port })).port).toBe(before.port)
    await expectUnchanged(before, before.port)
  })

  it('a stopped registry: a port in use is refused too, and the registry stays stopped', async () => {
    const before = await s.call('settings.get')
    await s.call('registry.stop')
    try {
      expect((await s.fail('settings.update', { port: busyPort })).code).toBe('PORT_IN_USE')
      expect(await s.call('settings.get')).toEqual(before)
      expect((await s.call('registry.status')).state).toBe('stopped')
      const other = await tempDir('berth-settings-other-')
      dirs.push(other)
      expect((await s.call('settings.update', { dataDir: other })).dataDir).toBe(other)
      expect((await s.call('registry.status')).state).toBe('stopped')
      await s.call('settings.update', { dataDir: before.dataDir })
    } finally {
      await s.call('registry.start')
    }
  })
})
