import { describe, expect, it } from 'vitest'
import { layerCompression, layerMediaType } from './layer-media'

describe('layer media types', () => {
  it.each([
    ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.diff.tar', 'uncompressed'],
    ['application/vnd.oci.image.layer.v1.tar', 'uncompressed'],
    ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip'],
    ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'gzip'],
    ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd'],
    ['application/vnd.oci.image.config.v1+json', null],
    ['application/vnd.in-toto+json', null]
  ])('%s is %s', (type, compression) => {
    expect(layerCompression(type)).toBe(compression)
  })

  it('names each compression in each format, and a layer type round-trips', () => {
    for (const format of ['docker', 'oci'] as const)
      for (const c of ['gzip', 'uncompressed'] as const) expect(layerCompression(layerMediaType(c, format)!)).toBe(c)
    expect(layerMediaType('zstd', 'docker')).toBeNull()
  })
})
