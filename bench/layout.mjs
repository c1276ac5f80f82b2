// Bench fixtures shared by the benchmarks: an OCI image layout of random (incompressible) layers.
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'

const sha = (b) => createHash('sha256').update(b).digest('hex')

/**
 * Streams a layer to `path`: a tar holding one file of `bytes` random bytes, gzipped at level 0
 * (stored blocks: valid gzip, no compression work). A plain-tar layer would make skopeo gzip it on
 * every push, so the client's compressor rather than the servers would be timed; random bytes don't
 * compress anyway. Resolves to the blob's digest and size and the tar's digest (the diff ID).
 */
async function writeLayer(path, bytes) {
  const diff = createHash('sha256')
  const blob = createHash('sha256')
  let size = 0
  async function* tar() {
    const header = Buffer.alloc(512)
    header.write('payload.bin', 0) // name
    header.write('0000644\0', 100) // mode
    header.write('0000000\0', 108) // uid
    header.write('0000000\0', 116) // gid
    header.write(bytes.toString(8).padStart(11, '0') + '\0', 124) // size
    header.write('00000000000\0', 136) // mtime
    header.write('        ', 148) // checksum, blank while summing
    header.write('0', 156) // regular file
    header.write('ustar\0', 257)
    header.write('00', 263)
    let sum = 0
    for (const b of header) sum += b
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    diff.update(header)
    yield header
    for (let left = bytes; left > 0; left -= 1 << 20) {
      const c = randomBytes(Math.min(left, 1 << 20))
      diff.update(c)
      yield c
    }
    const end = Buffer.alloc(((512 - (bytes % 512)) % 512) + 1024) // pad to a block, then two zero blocks
    diff.update(end)
    yield end
  }
  await pipeline(
    tar,
    createGzip({ level: 0 }),
    async function* (source) {
      for await (const c of source) {
        blob.update(c)
        size += c.length
        yield c
      }
    },
    createWriteStream(path)
  )
  return { digest: `sha256:${blob.digest('hex')}`, size, diffId: `sha256:${diff.digest('hex')}` }
}

/** An OCI image layout in `dir`: `layers` random (incompressible) layers of `mib` MiB (plus tar and gzip framing), tagged `bench`. */
export async function makeLayout(dir, layers, mib) {
  const blobs = join(dir, 'blobs', 'sha256')
  mkdirSync(blobs, { recursive: true })
  const descs = []
  for (let i = 0; i < layers; i++) {
    const tmp = join(blobs, `.layer${i}`)
    const { diffId, ...d } = await writeLayer(tmp, mib * 1024 * 1024)
    renameSync(tmp, join(blobs, d.digest.slice(7)))
    descs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...d, diffId })
  }
  const blob = (obj) => {
    const b = Buffer.from(JSON.stringify(obj))
    writeFileSync(join(blobs, sha(b)), b)
    return { digest: `sha256:${sha(b)}`, size: b.length }
  }
  const config = blob({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: descs.map((d) => d.diffId) },
    config: { Labels: { 'berth.bench.layout': dir } } // distinct configs for distinct layouts
  })
  const manifest = blob({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: descs.map((d) => ({ mediaType: d.mediaType, digest: d.digest, size: d.size }))
  })
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }]
    })
  )
  return { bytes: descs.reduce((n, d) => n + d.size, config.size + manifest.size), manifest: manifest.digest }
}
