import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/service/dispatch'
import { createService } from '../../src/main/service/service'
import { berth, startBerth, tempDir } from '../helpers/berth'
import { pushCosignSignature, pushImage } from '../helpers/supply-chain'
import { putManifest } from '../helpers/oci-push'

// The catalog and policies for scripts: the real CLI (bin/berth.js) against a data folder, its
// --json exactly what the contract's methods answer.

/** The same method through the service, as the window calls it. */
async function contract(dataDir: string, method: string, input?: unknown): Promise<unknown> {
  const service = createService({ settingsFile: null, defaults: { port: 0, host: '127.0.0.1', dataDir, startOnLaunch: false, startAtLogin: false } })
  try {
    const r = await dispatch(service.api, method, input)
    if (!r.ok) throw new Error(r.error.message)
    return r.result
  } finally {
    await service.dispose()
  }
}

describe('berth ls | tags | inspect | rm | policy, against a data folder', () => {
  let dataDir = ''
  let signed = ''
  beforeAll(async () => {
    dataDir = await tempDir('berth-cli-catalog-')
    const b = await startBerth({ dataDir })
    const app = await pushImage(b.url, 'team/app', '1.0')
    for (const tag of ['1.1', 'pr-1', 'pr-2', 'pr-3']) await putManifest(b.url, 'team/app', tag, app.mediaType, JSON.parse(await (await fetch(`${b.url}/v2/team/app/manifests/1.0`)).text()))
    await pushImage(b.url, 'team/web', 'v2', { created: '2026-10-01T00:00:00Z' })
    await pushImage(b.url, 'tools', 'latest')
    await pushCosignSignature(b.url, 'team/app', app, 'referrer')
    signed = app.digest
    await b.close()
  })
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('lists repositories, all or under a namespace, as catalog.repositories does', async () => {
    const all = await berth(['ls', '--data', dataDir, '--json'])
    expect(all.code).toBe(0)
    expect(JSON.parse(all.stdout)).toEqual(await contract(dataDir, 'catalog.repositories', { limit: 50_000 }))
    const team = await berth(['ls', 'team', '--data', dataDir])
    expect(team.stdout.split('\n')[0]).toMatch(/^REPOSITORY\s+TAGS\s+SIZE\s+UNIQUE\s+LAST PUSH$/)
    expect(team.stdout).toContain('team/app')
    expect(team.stdout).toContain('team/web')
    expect(team.stdout).not.toContain('tools')
    expect(JSON.parse((await berth(['ls', 'team/', '--data', dataDir, '--json'])).stdout).items.map((r: { name: string }) => r.name)).toEqual(['team/app', 'team/web'])
  })

  it('lists tags and inspects a manifest, with the JSON of catalog.tags and catalog.manifest', async () => {
    const tags = await berth(['tags', 'team/app', '--data', dataDir, '--json'])
    expect(JSON.parse(tags.stdout)).toEqual(await contract(dataDir, 'catalog.tags', { repository: 'team/app' }))
    expect((await berth(['tags', 'team/app', '--data', dataDir])).stdout).toMatch(/^TAG\s+DIGEST/)
    const inspect = await berth(['inspect', 'team/app:1.0', '--data', dataDir, '--json'])
    expect(JSON.parse(inspect.stdout)).toEqual(await contract(dataDir, 'catalog.manifest', { repository: 'team/app', reference: '1.0' }))
    const byDigest = await berth(['inspect', `localhost:5000/team/app@${signed}`, '--data', dataDir])
    expect(byDigest.code).toBe(0)
    expect(byDigest.stdout).toContain(`team/app@${signed}`)
    const missing = await berth(['tags', 'nope', '--data', dataDir])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/no repository nope/)
  })

  it('saves, lists, dry-runs, runs and removes a policy', async () => {
    const add = await berth(['policy', 'add', 'prs', '--tags', 'pr-*', '--keep-last', '1', '--gc', '--every', '24', '--data', dataDir])
    expect(add.stderr).toBe('')
    expect(add.code).toBe(0)
    const saved = JSON.parse(await readFile(join(dataDir, 'berth', 'policies.json'), 'utf8'))
    expect(saved.policies[0]).toMatchObject({ id: 'prs', retention: { tags: 'pr-*', keepLast: 1 }, gc: { untagged: false, referrers: true }, everyHours: 24 })
    const dry = await berth(['policy', 'run', 'prs', '--dry-run', '--data', dataDir])
    expect(dry.stdout.match(/would delete team\/app:pr-\d/g)).toHaveLength(2)
    const run = JSON.parse((await berth(['policy', 'run', 'prs', '--json', '--data', dataDir])).stdout)
    expect(run).toMatchObject({ policy: 'prs', trigger: 'manual', dryRun: false, retention: { candidates: 2, deleted: 2 }, error: null })
    const list = await berth(['policy', 'list', '--data', dataDir])
    expect(list.stdout).toMatch(/^prs: retention \*\*:pr-\* keep 1 \+ gc; every 24h; next /)
    expect(list.stdout).toContain('manual: deleted 2 tags')
    expect((await berth(['policy', 'remove', 'prs', '--data', dataDir])).code).toBe(0)
    expect((await berth(['policy', 'list', '--data', dataDir])).stdout).toContain('No policies')
  })

  it('deletes a tag, then a manifest with its referrers', async () => {
    expect((await berth(['rm', 'team/app:1.1', '--data', dataDir])).stdout).toBe('Deleted tag team/app:1.1.\n')
    const rm = await berth(['rm', `team/app@${signed}`, '--referrers', '--data', dataDir, '--json'])
    expect(JSON.parse(rm.stdout)).toMatchObject({ ok: true, tags: expect.arrayContaining(['1.0']), referrers: [expect.stringMatching(/^sha256:/)] })
    expect(JSON.parse((await berth(['tags', 'team/app', '--data', dataDir, '--json'])).stdout)).toEqual([])
    const bad = await berth(['rm', 'team/app', '--data', dataDir])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/names no tag or digest/)
  })
})
