import { join } from 'node:path'
import type { Digest } from '@shared/reference'

/*
 * The on-disk layout, drawn once. It is CNCF Distribution's (registry:2), so either program can
 * serve a folder the other wrote. Every path Berth touches is built here, from names, tags and
 * digests that were validated first — nothing from a request reaches the filesystem unchecked.
 *
 * <data>/docker/registry/v2/
 *   blobs/<alg>/<hex[0:2]>/<hex>/data                                  content, by digest
 *   repositories/<name>/
 *     _layers/<alg>/<hex>/link                                         blob linked into the repo
 *     _manifests/revisions/<alg>/<hex>/link                            manifest revision
 *     _manifests/tags/<tag>/current/link                               tag -> manifest digest
 *     _manifests/tags/<tag>/index/<alg>/<hex>/link                     every digest the tag has had
 *     _uploads/<uuid>/{data,startedat}                                 upload in progress
 * <data>/berth/                                                        Berth's own caches (rebuildable)
 *
 * A link file holds `<alg>:<hex>` and nothing else.
 */

export interface Layout {
  root: string
  v2: string
  blobs: string
  repositories: string
  berth: string
}

export function layoutOf(dataDir: string): Layout {
  const v2 = join(dataDir, 'docker', 'registry', 'v2')
  return {
    root: dataDir,
    v2,
    blobs: join(v2, 'blobs'),
    repositories: join(v2, 'repositories'),
    berth: join(dataDir, 'berth')
  }
}

export const paths = {
  blobDir: (l: Layout, d: Digest) => join(l.blobs, d.algorithm, d.hex.slice(0, 2), d.hex),
  blobData: (l: Layout, d: Digest) => join(l.blobs, d.algorithm, d.hex.slice(0, 2), d.hex, 'data'),
  repo: (l: Layout, name: string) => join(l.repositories, ...name.split('/')),
  layerLink: (l: Layout, name: string, d: Digest) =>
    join(paths.repo(l, name), '_layers', d.algorithm, d.hex, 'link'),
  layerLinkDir: (l: Layout, name: string, d: Digest) => join(paths.repo(l, name), '_layers', d.algorithm, d.hex),
  manifestsDir: (l: Layout, name: string) => join(paths.repo(l, name), '_manifests'),
  revisionsDir: (l: Layout, name: string) => join(paths.repo(l, name), '_manifests', 'revisions'),
  revisionLink: (l: Layout, name: string, d: Digest) =>
    join(paths.repo(l, name), '_manifests', 'revisions', d.algorithm, d.hex, 'link'),
  revisionLinkDir: (l: Layout, name: string, d: Digest) =>
    join(paths.repo(l, name), '_manifests', 'revisions', d.algorithm, d.hex),
  tagsDir: (l: Layout, name: string) => join(paths.repo(l, name), '_manifests', 'tags'),
  tagDir: (l: Layout, name: string, tag: string) => join(paths.repo(l, name), '_manifests', 'tags', tag),
  tagCurrentLink: (l: Layout, name: string, tag: string) =>
    join(paths.repo(l, name), '_manifests', 'tags', tag, 'current', 'link'),
  tagIndexLink: (l: Layout, name: string, tag: string, d: Digest) =>
    join(paths.repo(l, name), '_manifests', 'tags', tag, 'index', d.algorithm, d.hex, 'link'),
  uploadsDir: (l: Layout, name: string) => join(paths.repo(l, name), '_uploads'),
  uploadDir: (l: Layout, name: string, uuid: string) => join(paths.repo(l, name), '_uploads', uuid),
  uploadData: (l: Layout, name: string, uuid: string) => join(paths.repo(l, name), '_uploads', uuid, 'data'),
  uploadStartedAt: (l: Layout, name: string, uuid: string) =>
    join(paths.repo(l, name), '_uploads', uuid, 'startedat')
}
