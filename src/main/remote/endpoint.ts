import type { Readable } from 'node:stream'
import type { RegistryClient, RemoteManifest } from './client'

// What a copy reads from and writes to: another registry (through the client) or this Berth's data
// folder (local-endpoint.ts). Both speak in exact manifest bytes and blob streams.

export interface UploadSession {
  /** Finds the upload again after a restart: the registry's upload URL, or the storage's upload id. */
  readonly handle: string
  /** Bytes the target holds. */
  offset: number
  /** Appends a stream; resolves with the size the target then holds. */
  append(body: Readable, signal?: AbortSignal): Promise<number>
  /** What the target holds now (after a cut), or null when it forgot the upload. */
  refresh(): Promise<number | null>
  /** Verifies the digest over the whole blob (the target does) and makes it part of the repository. */
  commit(digest: string): Promise<void>
  cancel(): Promise<void>
}

export interface Endpoint {
  /** For messages and progress: `registry.example:5000`, or `this Berth`. */
  readonly label: string
  /** Two endpoints with one identity are one registry: blobs are mounted between repositories, not sent. */
  readonly identity: string
  manifest(repo: string, reference: string): Promise<RemoteManifest | null>
  blobSize(repo: string, digest: string): Promise<number | null>
  openBlob(repo: string, digest: string, offset: number, signal?: AbortSignal): Promise<{ stream: Readable; start: number; total: number | null }>
  mount(repo: string, digest: string, from: string): Promise<boolean>
  startUpload(repo: string): Promise<UploadSession>
  resumeUpload(repo: string, handle: string): Promise<UploadSession | null>
  putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<void>
  tags(repo: string): Promise<string[]>
}

export class RemoteEndpoint implements Endpoint {
  readonly label: string
  readonly identity: string

  constructor(readonly client: RegistryClient) {
    this.label = client.registry
    this.identity = `registry:${client.registry}`
  }

  manifest(repo: string, reference: string) {
    return this.client.manifest(repo, reference)
  }

  blobSize(repo: string, digest: string) {
    return this.client.blobSize(repo, digest, true)
  }

  openBlob(repo: string, digest: string, offset: number, signal?: AbortSignal) {
    return this.client.openBlob(repo, digest, offset, signal)
  }

  async mount(repo: string, digest: string, from: string): Promise<boolean> {
    const result = await this.client.mount(repo, digest, from)
    if (!result.mounted) await this.client.cancelUpload(repo, result.location)
    return result.mounted
  }

  private session(repo: string, location: string, offset: number): UploadSession {
    const client = this.client
    const s: UploadSession & { location: string } = {
      location,
      get handle() {
        return s.location
      },
      offset,
      async append(body, signal) {
        const r = await client.appendUpload(repo, s.location, () => body, signal)
        s.location = r.location
        return r.offset
      },
      refresh: () => client.uploadOffset(repo, s.location),
      commit: (digest) => client.finishUpload(repo, s.location, digest),
      cancel: () => client.cancelUpload(repo, s.location)
    }
    return s
  }

  async startUpload(repo: string): Promise<UploadSession> {
    return this.session(repo, await this.client.startUpload(repo), 0)
  }

  async resumeUpload(repo: string, handle: string): Promise<UploadSession | null> {
    const offset = await this.client.uploadOffset(repo, handle).catch(() => null)
    return offset === null ? null : this.session(repo, handle, offset)
  }

  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<void> {
    await this.client.putManifest(repo, reference, bytes, mediaType)
  }

  tags(repo: string) {
    return this.client.tags(repo)
  }
}
