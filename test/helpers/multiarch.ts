import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { tempDir } from './berth'
import { run } from './run'
import { MediaTypes, pushBlob, pushManifest, sha256 } from './registry-http'

// A two-platform OCI index pushed over raw HTTP (no buildah): the native child is a real, runnable
// image (a local Docker image turned into an OCI layout by skopeo), the other a small image for the
// other architecture built by hand.

export interface PushedIndex {
  /** The index's digest. */
  index: string
  indexBytes: Buffer
  children: { digest: string; architecture: string; config: string; layers: string[] }[]
}

/** The OCI architecture of this machine (what `docker pull` picks from an index). */
export function nativeArchitecture(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch
}

interface Desc {
  mediaType: string
  digest: string
  size: number
}

function blobFile(layout: string, digest: string): string {
  return join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length))
}

/** Pushes `localImage` (as OCI) and a hand-made image for another architecture, then an index of both tagged `tag`. */
export async function pushMultiArchIndex(url: string, name: string, tag: string, localImage: string): Promise<PushedIndex> {
  const work = await tempDir('berth-multiarch-')
  const native = nativeArchitecture()
  const foreign = native === 'arm64' ? 'amd64' : 'arm64'

  // The native child: the Docker image as skopeo lays it out in OCI form, pushed blob by blob.
  const layout = join(work, 'layout')
  await run('skopeo', ['copy', '-q', `docker-daemon:${localImage}`, `oci:${layout}:img`])
  const layoutIndex = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Desc[] }
  const nativeManifestBytes = await readFile(blobFile(layout, layoutIndex.manifests[0].digest))
  const nativeManifest = JSON.parse(nativeManifestBytes.toString()) as { config: Desc; layers: Desc[] }
  for (const d of [nativeManifest.config, ...nativeManifest.layers]) await pushBlob(url, name, await readFile(blobFile(layout, d.digest)))
  const nativeDigest = await pushManifest(url, name, sha256(nativeManifestBytes), nativeManifestBytes, MediaTypes.ociManifest)

  // The foreign child: one gzip layer holding /arch.txt, and a config saying the other architecture.
  const root = join(work, 'rootfs')
  await mkdir(root)
  await writeFile(join(root, 'arch.txt'), `${foreign}\n`)
  const tarFile = join(work, 'layer.tar')
  await run('tar', ['-C', root, '-cf', tarFile, 'arch.txt'])
  const tar = await readFile(tarFile)
  const layer = gzipSync(tar)
  const config = Buffer.from(
    JSON.stringify({
      architecture: foreign,
      os: 'linux',
      config: { Cmd: ['cat', '/arch.txt'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      history: [{ created_by: 'berth test: hand-made layer' }]
    })
  )
  await pushBlob(url, name, config)
  await pushBlob(url, name, layer)
  const foreignManifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: sha256(layer), size: layer.length }]
    })
  )
  const foreignDigest = await pushManifest(url, name, sha256(foreignManifestBytes), foreignManifestBytes, MediaTypes.ociManifest)

  const indexBytes = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: [
          { mediaType: MediaTypes.ociManifest, digest: nativeDigest, size: nativeManifestBytes.length, platform: { architecture: native, os: 'linux' } },
          { mediaType: MediaTypes.ociManifest, digest: foreignDigest, size: foreignManifestBytes.length, platform: { architecture: foreign, os: 'linux' } }
        ],
        annotations: { 'org.opencontainers.image.description': 'berth compat test index' }
      },
      null,
      2
    )
  )
  const index = await pushManifest(url, name, tag, indexBytes, MediaTypes.ociIndex)
  return {
    index,
    indexBytes,
    children: [
      { digest: nativeDigest, architecture: native, config: nativeManifest.config.digest, layers: nativeManifest.layers.map((l) => l.digest) },
      { digest: foreignDigest, architecture: foreign, config: sha256(config), layers: [sha256(layer)] }
    ]
  }
}
