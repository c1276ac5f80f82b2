import { randomBytes, createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { parseDigest, type Digest } from '@shared/reference'
import { openStorage } from '../index'
import { collectGarbage } from './gc'
import { storageUsage } from './usage'

// "Protected" must be true and say what protects each blob (issue 14, defect 6): the report lists
// every unreferenced blob kept, with the guard's reason.

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

describe('what a collection keeps, and why', () => {
  it('a blob uploaded moments ago and named by no manifest is kept, with that reason and its age; later it goes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-gc-kept-'))
    dirs.push(dir)
    let offset = 0
    const storage = await openStorage(dir, { clock: () => Date.now() + offset })
    const bytes = randomBytes(1000)
    const digest = parseDigest(`sha256:${createHash('sha256').update(bytes).digest('hex')}`) as Digest
    const { uuid } = await storage.uploads.start('team/app')
    await storage.uploads.append('team/app', uuid, Readable.from([bytes]))
    await storage.uploads.commit('team/app', uuid, digest)

    // The Storage card's count follows the dry run's rule: kept for now, not "a collection frees it".
    const usage = await storageUsage(storage)
    expect(usage.unreferenced).toEqual({ count: 0, bytes: 0 })
    expect(usage.keptForNow).toEqual({ count: 1, bytes: 1000 })

    const dry = await collectGarbage(storage, { dryRun: true })
    expect(dry.blobs).toEqual([])
    expect(dry.protected).toBe(1)
    expect(dry.kept).toEqual([
      {
        kind: 'blob',
        digest: digest.value,
        bytes: 1000,
        repositories: ['team/app'],
        reason: expect.stringMatching(/^uploaded, checked or mounted by a client \d+ s ago and no manifest names it yet \(a push may be under way\); kept until that is 10 min ago$/)
      }
    ])

    offset = 11 * 60_000
    const later = await collectGarbage(storage, { dryRun: true })
    expect(later.kept).toEqual([])
    expect(later.blobs.map((b) => b.digest)).toEqual([digest.value])
    expect((await storageUsage(storage)).unreferenced).toEqual({ count: 1, bytes: 1000 })
  })
})
