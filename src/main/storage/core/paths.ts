import { basename, dirname, join, sep } from 'node:path'
import type { Digest } from '@shared/reference'

/*
 * The on-disk layout, drawn once: this is the only file that spells a folder or file name of the
 * data folder. It is CNCF Distribution's (registry:2), so either program can serve a folder the
 * other wrote. Every path is built here from names, tags and digests that were validated first —
 * nothing from a request reaches the filesystem unchecked.
 *
 * <data>/docker/registry/v2/
 *   blobs/<alg>/<hex[0:2]>/<hex>/data                                  content, by digest
 *   repositories/<name>/
 *     _layers/<alg>/<hex>/link                                         blob linked into the repo
 *     _manifests/revisions/<alg>/<hex>/link                            manifest revision
 *     _manifests/tags/<tag>/current/link                               tag -> manifest digest
 *     _manifests/tags/<tag>/index/<alg>/<hex>/link                     every digest the tag has had
 *     _uploads/<uuid>/{data,startedat}                                 upload in progress
 *   repositories/berth-import-tmp/<id>/…                               an import's blobs before they are
 *                                                                      placed (hidden from the catalog)
 * <data>/berth/                                                        Berth's own files (no registry data)
 *   serving.json                                                       which process serves this folder
 *   htpasswd, roles.json                                               accounts (Apache htpasswd -B) and their roles
 *   logs/access.log[.N]                                                the registry port's access log, rotated
 *   inbox/upload-<id>.tar                                              files a browser window sent, until imported
 *   policies.json, policy-runs.json                                    storage policies, and the last run of each
 * <parent>/.<folder>.berth-moving-<id>/                                a folder move's copy, until complete
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

/** The folders of a repository that make it one (`_uploads` alone is a repository being created). */
export const REPOSITORY_MARKERS = ['_manifests', '_layers'] as const
export const UPLOADS_FOLDER = '_uploads'
/** Every `_` folder a repository may hold (never part of a name). */
export const REPOSITORY_FOLDERS = [...REPOSITORY_MARKERS, UPLOADS_FOLDER] as const

/** The parent of import areas: a valid repository name no person would choose. */
export const IMPORT_AREA_PARENT = 'berth-import-tmp'

/** Repositories that are Berth's own scratch space (an import's blobs), never shown as the user's. */
export function isHiddenRepository(name: string): boolean {
  return name === IMPORT_AREA_PARENT || name.startsWith(`${IMPORT_AREA_PARENT}/`)
}

/** Where a data folder's registry tree starts, from the data folder (the inverse of `dataDirOf`). */
export const V2_SEGMENTS = ['docker', 'registry', 'v2'] as const

export const paths = {
  blobDir: (l: Layout, d: Digest) => join(l.blobs, d.algorithm, d.hex.slice(0, 2), d.hex),
  blobData: (l: Layout, d: Digest) => join(l.blobs, d.algorithm, d.hex.slice(0, 2), d.hex, 'data'),
  repo: (l: Layout, name: string) => join(l.repositories, ...name.split('/')),
  repoFolder: (l: Layout, name: string, folder: (typeof REPOSITORY_FOLDERS)[number]) => join(paths.repo(l, name), folder),
  layersDir: (l: Layout, name: string) => join(paths.repo(l, name), '_layers'),
  layerLink: (l: Layout, name: string, d: Digest) => join(paths.repo(l, name), '_layers', d.algorithm, d.hex, 'link'),
  layerLinkDir: (l: Layout, name: string, d: Digest) => join(paths.repo(l, name), '_layers', d.algorithm, d.hex),
  manifestsDir: (l: Layout, name: string) => join(paths.repo(l, name), '_manifests'),
  revisionsDir: (l: Layout, name: string) => join(paths.repo(l, name), '_manifests', 'revisions'),
  revisionLink: (l: Layout, name: string, d: Digest) => join(paths.repo(l, name), '_manifests', 'revisions', d.algorithm, d.hex, 'link'),
  revisionLinkDir: (l: Layout, name: string, d: Digest) => join(paths.repo(l, name), '_manifests', 'revisions', d.algorithm, d.hex),
  tagsDir: (l: Layout, name: string) => join(paths.repo(l, name), '_manifests', 'tags'),
  tagDir: (l: Layout, name: string, tag: string) => join(paths.repo(l, name), '_manifests', 'tags', tag),
  tagCurrentLink: (l: Layout, name: string, tag: string) => join(paths.repo(l, name), '_manifests', 'tags', tag, 'current', 'link'),
  tagIndexLink: (l: Layout, name: string, tag: string, d: Digest) =>
    join(paths.repo(l, name), '_manifests', 'tags', tag, 'index', d.algorithm, d.hex, 'link'),
  uploadsDir: (l: Layout, name: string) => join(paths.repo(l, name), UPLOADS_FOLDER),
  uploadDir: (l: Layout, name: string, uuid: string) => join(paths.repo(l, name), UPLOADS_FOLDER, uuid),
  uploadData: (l: Layout, name: string, uuid: string) => join(paths.repo(l, name), UPLOADS_FOLDER, uuid, 'data'),
  uploadStartedAt: (l: Layout, name: string, uuid: string) => join(paths.repo(l, name), UPLOADS_FOLDER, uuid, 'startedat'),

  importAreaParent: (l: Layout) => join(l.repositories, IMPORT_AREA_PARENT),
  /** The repository name of one import's area. */
  importAreaName: (id: string) => `${IMPORT_AREA_PARENT}/${id}`,

  servingFile: (l: Layout) => join(l.berth, 'serving.json'),
  htpasswdFile: (l: Layout) => join(l.berth, 'htpasswd'),
  rolesFile: (l: Layout) => join(l.berth, 'roles.json'),
  logsDir: (l: Layout) => join(l.berth, 'logs'),
  uploadInbox: (l: Layout) => join(l.berth, 'inbox'),
  inboxFile: (l: Layout, id: string) => join(l.berth, 'inbox', `upload-${id}.tar`),
  policiesFile: (l: Layout) => join(l.berth, 'policies.json'),
  policyRunsFile: (l: Layout) => join(l.berth, 'policy-runs.json'),

  /** A move's copy of the data folder, beside the target and hidden, renamed to `target` when complete. */
  movingCopy: (target: string, id: string) => join(dirname(target), `.${basename(target)}.berth-moving-${id}`)
}

/**
 * For a path inside `<v2>/blobs`, split into parts relative to the data folder: the digest its bytes
 * must hash to, when it is a blob's data file (`docker/registry/v2/blobs/<alg>/<hh>/<hex>/data`).
 */
export function blobDigestOfRelative(parts: readonly string[]): { algorithm: string; hex: string } | null {
  const i = parts.indexOf('blobs')
  if (i !== V2_SEGMENTS.length || parts.slice(0, i).join('/') !== V2_SEGMENTS.join('/')) return null
  if (parts.length - i !== 5 || parts[parts.length - 1] !== 'data') return null
  return { algorithm: parts[i + 1], hex: parts[i + 3] }
}

/** Whether a file name in the upload inbox is one of Berth's uploads (`inboxFile`'s names). */
export function isInboxFileName(name: string): boolean {
  return /^upload-[0-9a-f]+\.tar$/.test(name)
}

/** A path given as the registry tree itself (`…/docker/registry/v2`, or `…/docker/registry`) means the folder above it. */
export function dataDirOf(abs: string): string {
  const parts = abs.split(sep)
  const endsWith = (tail: readonly string[]) => parts.length > tail.length && parts.slice(-tail.length).join('/') === tail.join('/')
  if (endsWith(V2_SEGMENTS)) return parts.slice(0, -3).join(sep)
  if (endsWith(V2_SEGMENTS.slice(0, 2))) return parts.slice(0, -2).join(sep)
  return abs
}
