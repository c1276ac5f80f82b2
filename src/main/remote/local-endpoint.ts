import { createReadStream } from 'node:fs'
import { BerthError } from '@shared/errors'
import { parseDigest, type Digest } from '@shared/reference'
import type { Storage } from '../storage'
import type { Endpoint, UploadSession } from './endpoint'

// This Berth's data folder as a copy endpoint, written only through the Storage API (uploads are
// digest-checked on commit, manifests checked against what the repository holds), so a copy into
// Berth is stored exactly as a push would be.

function digestOf(text: string): Digest {
  const d = parseDigest(text)
  if (typeof d !== 'object') throw new BerthError('INVALID_INPUT', `${text} is not a digest.`)
  return d
}

export class LocalEndpoint implements Endpoint {
  readonly label = 'this Berth'
  readonly identity: string

  constructor(private readonly storage: Storage) {
    this.identity = `folder:${storage.layout.root}`
  }

  async manifest(repo: string, reference: string) {
    const d = parseDigest(reference)
    const m = await this.storage.manifests.get(repo, typeof d === 'object' ? d : reference)
    return m ? { bytes: m.bytes, mediaType: m.mediaType, digest: m.digest.value } : null
  }

  async blobSize(repo: string, digest: string): Promise<number | null> {
    const d = digestOf(digest)
    // claim(): the blob is touched, so a collection running now leaves it for the manifest to name.
    return (await this.storage.repos.hasBlob(repo, d)) ? this.storage.blobs.claim(d) : null
  }

  async openBlob(repo: string, digest: string, offset: number) {
    const d = digestOf(digest)
    const size = await this.blobSize(repo, digest)
    if (size === null) throw new BerthError('NOT_FOUND', `This Berth has no blob ${digest} in ${repo}; the image is incomplete (run berth verify).`)
    const stream = offset >= size ? createReadStream('/dev/null') : createReadStream(this.storage.blobs.dataPath(d), { start: offset, highWaterMark: 1 << 20 })
    return { stream, start: Math.min(offset, size), total: size }
  }

  async mount(repo: string, digest: string, from: string): Promise<boolean> {
    const d = digestOf(digest)
    if (!(await this.storage.repos.hasBlob(from, d)) || (await this.storage.blobs.claim(d)) === null) return false
    await this.storage.repos.linkLayer(repo, d)
    return true
  }

  private session(repo: string, uuid: string, offset: number): UploadSession {
    const uploads = this.storage.uploads
    return {
      handle: uuid,
      offset,
      append: (body) => uploads.append(repo, uuid, body),
      refresh: async () => (await uploads.status(repo, uuid))?.size ?? null,
      commit: async (digest) => {
        await uploads.commit(repo, uuid, digestOf(digest))
      },
      cancel: () => uploads.cancel(repo, uuid).catch(() => {})
    }
  }

  async startUpload(repo: string): Promise<UploadSession> {
    const { uuid } = await this.storage.uploads.start(repo)
    return this.session(repo, uuid, 0)
  }

  async resumeUpload(repo: string, handle: string): Promise<UploadSession | null> {
    const status = await this.storage.uploads.status(repo, handle)
    return status ? this.session(repo, handle, status.size) : null
  }

  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<void> {
    const d = parseDigest(reference)
    await this.storage.manifests.put(repo, typeof d === 'object' ? { digest: d } : { tag: reference }, bytes, mediaType)
  }

  async tags(repo: string): Promise<string[]> {
    const tags = await this.storage.repos.tags(repo)
    if (!tags) throw new BerthError('NOT_FOUND', `There is no repository ${repo} in this Berth.`)
    return [...tags]
  }
}
