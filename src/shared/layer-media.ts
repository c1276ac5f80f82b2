// How a layer is stored, from its media type, and the media type for a compression in either manifest
// format. Docker's and OCI's names differ; the bytes of a gzip (or plain tar) layer are the same in both.

export type LayerCompression = 'gzip' | 'uncompressed' | 'zstd'
export type ManifestFormat = 'docker' | 'oci'

const TYPES: Record<ManifestFormat, Partial<Record<LayerCompression, string>>> = {
  docker: {
    gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    uncompressed: 'application/vnd.docker.image.rootfs.diff.tar'
  },
  oci: {
    gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    uncompressed: 'application/vnd.oci.image.layer.v1.tar',
    zstd: 'application/vnd.oci.image.layer.v1.tar+zstd'
  }
}

/** gzip / uncompressed / zstd for a layer media type (foreign and non-distributable ones too); null for anything else. */
export function layerCompression(mediaType: string): LayerCompression | null {
  if (/(diff\.tar\.gzip|\.tar\+gzip)$/.test(mediaType)) return 'gzip'
  if (/\.tar\+zstd$/.test(mediaType)) return 'zstd'
  if (/(diff\.tar|layer(\.nondistributable)?\.v1\.tar)$/.test(mediaType)) return 'uncompressed'
  return null
}

/** The layer media type of `compression` in `format`; null when the format has none (zstd in Docker schema 2). */
export function layerMediaType(compression: LayerCompression, format: ManifestFormat): string | null {
  return TYPES[format][compression] ?? null
}
