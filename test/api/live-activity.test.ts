import { request } from 'node:http'
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBerth, type RunningBerth } from '../helpers/berth'

// The header's counter is live during a long push (issue 14, defect 10): the registry's activity
// counts the bytes of requests still under way, not only of those that ended.

describe('registry activity while a request is under way', () => {
  let b: RunningBerth
  beforeAll(async () => {
    b = await startBerth()
  })
  afterAll(async () => {
    await b?.close()
    await rm(b.dataDir, { recursive: true, force: true })
  })

  it('an upload still streaming already counts its bytes in', async () => {
    const start = await fetch(`${b.url}/v2/live/app/blobs/uploads/`, { method: 'POST' })
    expect(start.status).toBe(202)
    const location = new URL(start.headers.get('location')!, b.url)
    const before = b.registry.activity.bytesIn
    const req = request(location, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' } })
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
    })
    const chunk = Buffer.alloc(256 * 1024, 7)
    for (let i = 0; i < 8; i++) req.write(chunk)
    // 2 MiB sent, the request not ended: the counter has seen them.
    await expect.poll(() => b.registry.activity.bytesIn - before, { timeout: 10_000 }).toBeGreaterThanOrEqual(2 * 1024 * 1024)
    req.end()
    expect(await answered).toBe(202)
    const after = b.registry.activity.bytesIn - before
    expect(after).toBeGreaterThanOrEqual(2 * 1024 * 1024)
    // Counted once: the end of the response does not add the same bytes again.
    expect(after).toBeLessThan(2 * 1024 * 1024 + 4096)
  })
})
