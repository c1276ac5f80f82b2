import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { run } from './run'

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'

/** Unique per run, so local image names never meet those of another run or another file. */
export const RUN_ID = randomBytes(4).toString('hex')

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { architecture: string; os: string; variant?: string }
  annotations?: Record<string, string>
}
export interface ImageManifest {
  schemaVersion: number
  mediaType?: string
  config: Descriptor
  layers: Descriptor[]
}
export interface Index {
  schemaVersion: number
  mediaType?: string
  manifests: Descriptor[]
}

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

export async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res
  expect(r.status, `${r.url} answered ${r.status}`).toBe(200)
  return (await r.json()) as T
}

export async function removeImages(refs: string[]): Promise<void> {
  for (const ref of refs.reverse()) await run('docker', ['rmi', '-f', ref]).catch(() => {})
}

/** Number of layers in a local image, as the engine counts them. */
export async function localLayerCount(ref: string): Promise<number> {
  return Number((await run('docker', ['image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref])).trim())
}

/** The final status `docker push` printed for each layer (`<12 hex>: Preparing` … `<12 hex>: Pushed`). */
export function layerLines(pushOutput: string): { id: string; status: string }[] {
  const last = new Map<string, string>()
  for (const m of pushOutput.matchAll(/^([a-f0-9]{12}): (.+)$/gm)) last.set(m[1], m[2].trim())
  return [...last].map(([id, status]) => ({ id, status }))
}
