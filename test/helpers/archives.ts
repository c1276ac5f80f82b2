import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { BERTH_BIN } from './berth'

// Helpers for the export/import tests: small hand-made archives and the CLI as a process.

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Writes a tar of in-memory entries (test inputs are tiny; the product never does this). */
export async function writeTar(file: string, entries: { name: string; data: Buffer | string }[]): Promise<void> {
  const pack = tar.pack()
  const done = pipeline(pack, createWriteStream(file))
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => pack.entry({ name: e.name }, Buffer.from(e.data), (err) => (err ? reject(err) : resolve())))
  }
  pack.finalize()
  await done
}

/**
 * A one-image OCI layout as tar entries: a config, one layer and a manifest, named `tag`. With
 * `corruptLayer` the layer entry's bytes differ from what its name (the digest) says; `layer` gives
 * the layer's bytes (a big one, to fill a disk).
 */
export function tinyOciLayout(tag: string, options: { corruptLayer?: boolean; layer?: Buffer } = {}): { name: string; data: Buffer | string }[] {
  const layer = options.layer ?? Buffer.from('not really a tar, but the digest is what is checked')
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }))
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }]
    })
  )
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha256(manifest),
        size: manifest.length,
        annotations: { 'io.containerd.image.name': tag, 'org.opencontainers.image.ref.name': tag.split(':').at(-1)! }
      }
    ]
  }
  const blob = (b: Buffer) => `blobs/sha256/${sha256(b).slice(7)}`
  const stored = options.corruptLayer ? Buffer.from(layer.toString().toUpperCase()) : layer
  return [
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: blob(config), data: config },
    { name: blob(layer), data: stored },
    { name: blob(manifest), data: manifest },
    { name: 'index.json', data: JSON.stringify(index) }
  ]
}

export interface CliRun {
  code: number
  stdout: string
  stderr: string
  /** Peak resident memory of the process in KiB (from GNU time). */
  maxRssKiB: number | null
}

/** `node bin/berth.js …` under /usr/bin/time -v, so the test can report the peak RSS. */
export function berthCli(args: string[], timeoutMs = 300_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('/usr/bin/time', ['-v', process.execPath, BERTH_BIN, ...args], { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)
      const own = stderr.replace(/\n?\s*Command (being timed|exited)[\s\S]*$/, '').replace(/\n\tCommand[\s\S]*$/, '')
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr: own, maxRssKiB: rss ? Number(rss[1]) : null })
    })
  })
}
