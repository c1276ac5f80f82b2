import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { gzipSync } from 'node:zlib'
import tar from 'tar-stream'
import { afterEach, describe, expect, it } from 'vitest'
import { openStorage } from '../index'
import { importArchive } from './import'

// docker save archives made by hand: entry order, links between layers, gzip detection.

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

type Entry = { name: string; data?: Buffer | string; linkname?: string; type?: 'symlink' | 'link' }

async function writeTar(file: string, entries: Entry[]): Promise<void> {
  const pack = tar.pack()
  const done = pipeline(pack, createWriteStream(file))
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve())
      if (e.type) pack.entry({ name: e.name, type: e.type, linkname: e.linkname }, cb)
      else pack.entry({ name: e.name }, Buffer.from(e.data ?? ''), cb)
    })
  }
  pack.finalize()
  await done
}

describe('importArchive of a docker save tar', () => {
  it('reads entries in any order (manifest.json last), follows a symlinked layer, tells gzip layers from plain ones', async () => {
    const work = await mkdtemp(join(tmpdir(), 'berth-import-unit-'))
    dirs.push(work)
    const plain = Buffer.from('plain layer bytes')
    const gz = gzipSync(Buffer.from('gzip layer bytes'))
    const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: ['sha256:x', 'sha256:y', 'sha256:z'] } }))
    const a = 'a'.repeat(64)
    const b = 'b'.repeat(64)
    const c = 'c'.repeat(64)
    const file = join(work, 'save.tar')
    await writeTar(file, [
      { name: `${a}/layer.tar`, data: plain },
      { name: `${a}/json`, data: '{}' },
      { name: `${a}/VERSION`, data: '1.0' },
      { name: `./${b}/layer.tar`, data: gz },
      { name: `${c}/layer.tar`, type: 'symlink', linkname: `../${a}/layer.tar` },
      { name: `${sha(config)}.json`, data: config },
      { name: 'repositories', data: '{}' },
      { name: 'manifest.json', data: JSON.stringify([{ Config: `${sha(config)}.json`, RepoTags: ['localhost:5000/team/app:1', 'team/app:2'], Layers: [`${a}/layer.tar`, `${b}/layer.tar`, `${c}/layer.tar`] }]) }
    ])
    const storage = await openStorage(join(work, 'data'))
    const result = await importArchive(storage, { file })
    expect(result.format).toBe('docker-archive')
    expect(result.images.map((i) => `${i.repository}:${i.tag}`)).toEqual(['team/app:1', 'team/app:2'])
    expect(result.images[0].digest).toBe(result.images[1].digest)
    const manifest = JSON.parse((await storage.manifests.get('team/app', '1'))!.bytes.toString())
    expect(manifest.config).toEqual({ mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: `sha256:${sha(config)}` })
    expect(manifest.layers).toEqual([
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: plain.length, digest: `sha256:${sha(plain)}` },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: gz.length, digest: `sha256:${sha(gz)}` },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: plain.length, digest: `sha256:${sha(plain)}` }
    ])
    // Only the real repository remains; the area one is gone.
    expect(await readdir(storage.layout.repositories)).toEqual(['team'])
  })

  it('refuses a manifest.json that disagrees with its config, and tags nothing', async () => {
    const work = await mkdtemp(join(tmpdir(), 'berth-import-unit-'))
    dirs.push(work)
    const layer = Buffer.from('x')
    const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [] } }))
    const file = join(work, 'bad.tar')
    await writeTar(file, [
      { name: 'manifest.json', data: JSON.stringify([{ Config: `${sha(config)}.json`, RepoTags: ['team/app:1'], Layers: ['l/layer.tar'] }]) },
      { name: `${sha(config)}.json`, data: config },
      { name: 'l/layer.tar', data: layer }
    ])
    const storage = await openStorage(join(work, 'data'))
    await expect(importArchive(storage, { file })).rejects.toThrow(/lists 0 layers but manifest.json gives 1/)
    expect(await storage.repos.tags('team/app')).toBeNull()
    await expect(importArchive(storage, { file, repository: 'x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})
