import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { RequestRecord } from '../registry/observe'
import { ActivityLog } from './activity-log'

function record(i: number, over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    time: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    method: 'GET',
    route: 'manifest',
    repository: i % 2 ? 'team/app' : 'team/db',
    reference: `v${i}`,
    status: i % 3 ? 200 : 404,
    bytesIn: 100,
    bytesOut: 1000 + i,
    durationMs: 1.5,
    account: i % 2 ? 'alice' : null,
    client: '10.212.0.2',
    completed: true,
    ...over
  }
}

describe('activity log', () => {
  it('keeps the newest entries in a bounded ring and filters them by account, repository and status', () => {
    const seen: string[] = []
    const log = new ActivityLog({ dir: null, capacity: 10, onEntry: (e) => seen.push(e.reference) })
    for (let i = 0; i < 25; i++) log.record(record(i))
    expect(seen).toHaveLength(25)
    const all = log.list()
    expect(all.map((e) => e.reference)).toEqual(['v24', 'v23', 'v22', 'v21', 'v20', 'v19', 'v18', 'v17', 'v16', 'v15'])
    expect(log.list({ account: 'anonymous' }).every((e) => e.repository === 'team/db')).toBe(true)
    expect(log.list({ account: 'alice', repository: 'team/app' })).toHaveLength(5)
    expect(log.list({ status: 404 }).map((e) => e.reference)).toEqual(['v24', 'v21', 'v18', 'v15'])
    expect(log.list({ status: '2xx', limit: 2 }).map((e) => e.reference)).toEqual(['v23', 'v22'])
  })

  it('logs a client that hung up as 499', () => {
    const log = new ActivityLog({ dir: null })
    expect(log.record(record(1, { completed: false, status: 200 })).status).toBe(499)
  })

  it('appends JSON lines to access.log, rotated by size, keeping N old files, mode 0600', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'berth-activity-')), 'berth', 'logs')
    const log = new ActivityLog({ dir: () => dir, maxBytes: 2000, keep: 2 })
    for (let i = 0; i < 40; i++) {
      log.record(record(i))
      if (i % 5 === 0) await log.flush()
    }
    await log.close()
    const files = (await readdir(dir)).sort()
    expect(files).toEqual(['access.log', 'access.log.1', 'access.log.2'])
    for (const f of files) expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(2000)
    const last = (await readFile(join(dir, 'access.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    expect(last.at(-1)).toMatchObject({ reference: 'v39', account: 'alice', client: '10.212.0.2', status: 404 })
    expect((await stat(join(dir, 'access.log'))).mode & 0o777).toBe(0o600)
  })
})
