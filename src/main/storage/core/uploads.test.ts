import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rename, stat, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { parseDigest, type Digest } from '@shared/reference'
import { BlobStore } from './blobs'
import { ChangeFeed } from './changes'
import { layoutOf, paths } from './paths'
import { RepositoryStore } from './repositories'
import { UploadError, UploadStore } from './uploads'

const digestOf = (b: Buffer) => parseDigest(`sha256:${createHash('sha256').update(b).digest('hex')}`) as Digest

/** The core store's pieces the upload store works with, on a fresh folder. */
function openAt(root: string) {
  const layout = layoutOf(root)
  const blobs = new BlobStore(layout)
  const repos = new RepositoryStore(layout, new ChangeFeed())
  return { layout, blobs, repos, uploads: new UploadStore(layout, blobs, repos) }
}

async function store() {
  const s = openAt(await mkdtemp(join(tmpdir(), 'berth-uploads-')))
  await mkdir(s.layout.v2, { recursive: true })
  return s
}

describe('the upload store', () => {
  it('appends chunks in order, commits a verified blob, links it and leaves no upload behind', async () => {
    const s = await store()
    const body = Buffer.from('hello, registry')
    const { uuid } = await s.uploads.start('team/app')
    expect(await s.uploads.append('team/app', uuid, Readable.from([body.subarray(0, 5)]), { start: 0, end: 4 })).toBe(5)
    await expect(s.uploads.append('team/app', uuid, Readable.from([body.subarray(5)]), { start: 3, end: 12 })).rejects.toMatchObject({ reason: 'range' })
    expect(await s.uploads.commit('team/app', uuid, digestOf(body), { body: Readable.from([body.subarray(5)]) })).toBe(body.length)
    expect(await s.blobs.readBytes(digestOf(body))).toEqual(body)
    expect(await s.repos.hasLayer('team/app', digestOf(body))).toBe(true)
    expect(await readdir(paths.uploadsDir(s.layout, 'team/app'))).toEqual([])
  })

  it('a wrong digest deletes the upload: nothing of it is kept', async () => {
    const s = await store()
    const { uuid } = await s.uploads.start('x')
    await s.uploads.append('x', uuid, Readable.from([Buffer.from('abc')]))
    const wrong = digestOf(Buffer.from('abd'))
    await expect(s.uploads.commit('x', uuid, wrong)).rejects.toBeInstanceOf(UploadError)
    expect(await s.uploads.status('x', uuid)).toBeNull()
    expect(await s.blobs.size(wrong)).toBeNull()
  })

  it('re-hashes from disk when the running hash is gone (a restart), and refuses ids that are not uuids', async () => {
    const first = await store()
    const body = Buffer.from('resumed after a restart')
    const { uuid } = await first.uploads.start('r')
    await first.uploads.append('r', uuid, Readable.from([body]))
    const again = openAt(first.layout.root)
    expect(await again.uploads.commit('r', uuid, digestOf(body))).toBe(body.length)
    expect(await again.uploads.status('r', '../../etc')).toBeNull()
  })

  it('purges abandoned uploads by age, in every repository, but not one in use; the survey counts them', async () => {
    const s = await store()
    const old = await s.uploads.start('a/b')
    const fresh = await s.uploads.start('c')
    const longAgo = new Date(Date.now() - 3 * 3_600_000)
    await utimes(paths.uploadData(s.layout, 'a/b', old.uuid), longAgo, longAgo)
    expect(await s.uploads.survey(3_600_000)).toEqual({ count: 2, bytes: 0, abandoned: 1 })
    expect(await s.uploads.purgeAbandoned(3_600_000)).toBe(1)
    expect(await s.uploads.status('a/b', old.uuid)).toBeNull()
    expect(await s.uploads.status('c', fresh.uuid)).not.toBeNull()
  })

  it('never grows a registry tree again where one was moved away: the write fails instead', async () => {
    const s = await store()
    await rename(s.layout.root, `${s.layout.root}-moved`)
    await expect(s.uploads.start('team/app')).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(s.uploads.upload('team/app', digestOf(Buffer.from('x')), Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(stat(s.layout.root)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('a monolithic upload that fails leaves no session behind, whatever failed', async () => {
    const s = await store()
    const body = Buffer.from('monolithic')
    await expect(s.uploads.upload('m/one', digestOf(Buffer.from('other')), Readable.from([body]))).rejects.toBeInstanceOf(UploadError)
    const broken = new Readable({ read() {} })
    broken.push(body)
    setTimeout(() => broken.destroy(new Error('the client hung up')), 10)
    await expect(s.uploads.upload('m/one', digestOf(body), broken)).rejects.toThrow(/ended early/)
    expect(await readdir(paths.uploadsDir(s.layout, 'm/one'))).toEqual([])
    expect(await s.uploads.upload('m/one', digestOf(body), Readable.from([body]))).toBe(body.length)
  })
})
