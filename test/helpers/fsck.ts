import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/*
 * A paranoid check of a Distribution-layout data folder (`<data>/docker/registry/v2`), whoever wrote
 * it (Berth or registry:2). Returns one sentence per problem; an empty list means healthy:
 *
 *  - every `blobs/<alg>/<hh>/<hex>/data` is a file whose bytes hash to `<alg>:<hex>`, filed under `<hh>`;
 *  - every `_layers` and `_manifests/revisions` link says exactly its own digest, and its blob exists;
 *  - every manifest revision parses, and what it references is there: an image's config and layers are
 *    linked into the repository with their blobs, an index's children are revisions of the repository;
 *  - every tag has a `current/link` naming a revision whose blob exists, and its `index/` entry.
 *
 * Unfinished uploads (`_uploads/<uuid>`) and temporary files of interrupted atomic writes (`*.tmp`)
 * are what a crash legitimately leaves behind; they are allowed unless the options forbid them.
 */

export interface FsckOptions {
  /** 'forbid': any `_uploads/<uuid>` entry is a problem (after clean, finished pushes). Default 'allow'. */
  uploads?: 'allow' | 'forbid'
  /** 'forbid': any leftover `*.tmp` file is a problem. Default 'allow'. */
  tempFiles?: 'allow' | 'forbid'
}

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 }
const MANIFEST_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json'
])
const INDEX_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json'
])

interface Entry {
  name: string
  dir: boolean
  file: boolean
}

async function ls(dir: string): Promise<Entry[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    return entries.map((e) => ({ name: e.name, dir: e.isDirectory(), file: e.isFile() }))
  } catch {
    return []
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile()
  } catch {
    return false
  }
}

function hashFile(path: string, algorithm: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash(algorithm)
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')))
  })
}

function parseDigest(text: string): { algorithm: string; hex: string } | null {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(text)
  if (!m || HEX_LENGTH[m[1]] !== m[2].length) return null
  return { algorithm: m[1], hex: m[2] }
}

/** Repository names: folders under `repositories/` holding `_manifests`, `_layers` or `_uploads`. */
export async function repositoryNames(v2: string): Promise<string[]> {
  const out: string[] = []
  async function walk(dir: string, prefix: string): Promise<void> {
    const entries = await ls(dir)
    if (prefix && entries.some((e) => e.dir && ['_manifests', '_layers', '_uploads'].includes(e.name))) out.push(prefix)
    for (const e of entries) if (e.dir && !e.name.startsWith('_')) await walk(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name)
  }
  await walk(join(v2, 'repositories'), '')
  return out.sort()
}

/** Every `*.tmp` file under `dir`, as paths relative to it. */
async function tempFilesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = []
  for (const e of await ls(dir)) {
    const path = rel ? `${rel}/${e.name}` : e.name
    if (e.dir) out.push(...(await tempFilesUnder(join(dir, e.name), path)))
    else if (e.name.endsWith('.tmp')) out.push(path)
  }
  return out
}

export async function fsck(dataDir: string, options: FsckOptions = {}): Promise<string[]> {
  const v2 = join(dataDir, 'docker', 'registry', 'v2')
  const problems: string[] = []
  const blobsRoot = join(v2, 'blobs')
  const blobPath = (algorithm: string, hex: string) => join(blobsRoot, algorithm, hex.slice(0, 2), hex, 'data')
  const goodBlobs = new Set<string>()

  // Content: every blob's bytes hash to its name.
  for (const alg of await ls(blobsRoot)) {
    if (!alg.dir || HEX_LENGTH[alg.name] === undefined) {
      problems.push(`blobs/${alg.name}: not a known digest algorithm folder`)
      continue
    }
    for (const two of await ls(join(blobsRoot, alg.name))) {
      if (!two.dir || !/^[a-f0-9]{2}$/.test(two.name)) {
        problems.push(`blobs/${alg.name}/${two.name}: not a two-hex-digit folder`)
        continue
      }
      for (const hexDir of await ls(join(blobsRoot, alg.name, two.name))) {
        const where = `blobs/${alg.name}/${two.name}/${hexDir.name}`
        if (!hexDir.dir || !parseDigest(`${alg.name}:${hexDir.name}`) || !hexDir.name.startsWith(two.name)) {
          problems.push(`${where}: not a blob folder named by its digest`)
          continue
        }
        for (const e of await ls(join(blobsRoot, alg.name, two.name, hexDir.name))) {
          if (e.name === 'data') {
            if (!e.file) {
              problems.push(`${where}/data is not a regular file`)
              continue
            }
            const actual = await hashFile(join(blobsRoot, alg.name, two.name, hexDir.name, 'data'), alg.name)
            if (actual !== hexDir.name) problems.push(`${where}/data holds bytes hashing to ${alg.name}:${actual}`)
            else goodBlobs.add(`${alg.name}:${hexDir.name}`)
          } else if (!e.name.endsWith('.tmp')) {
            problems.push(`${where}/${e.name}: unexpected entry in a blob folder`)
          }
        }
      }
    }
  }
  const blobOk = (digest: string) => goodBlobs.has(digest)

  /** Link files under `<root>/<alg>/<hex>/link`: the digests whose link says exactly that digest. */
  async function links(repo: string, root: string, what: string): Promise<Set<string>> {
    const out = new Set<string>()
    for (const alg of await ls(root)) {
      for (const hex of await ls(join(root, alg.name))) {
        const expected = `${alg.name}:${hex.name}`
        if (!parseDigest(expected)) {
          problems.push(`${repo}: ${what} folder ${expected} is not a digest`)
          continue
        }
        const linkPath = join(root, alg.name, hex.name, 'link')
        if (!(await isFile(linkPath))) continue // an interrupted write's empty folder: nothing refers to it
        const text = await readFile(linkPath, 'utf8')
        if (text !== expected) {
          problems.push(`${repo}: ${what} link ${expected} says ${JSON.stringify(text.slice(0, 100))}`)
          continue
        }
        if (!blobOk(expected)) problems.push(`${repo}: ${what} link ${expected} has no (good) blob`)
        out.add(expected)
      }
    }
    return out
  }

  for (const repo of await repositoryNames(v2)) {
    const base = join(v2, 'repositories', ...repo.split('/'))
    for (const e of await ls(base)) {
      if (e.name.startsWith('_') && !['_manifests', '_layers', '_uploads'].includes(e.name)) problems.push(`${repo}: unexpected ${e.name}`)
    }
    const layers = await links(repo, join(base, '_layers'), 'layer')
    const revisions = await links(repo, join(base, '_manifests', 'revisions'), 'revision')

    // Each manifest revision is complete: what it references is served by this repository.
    for (const digest of revisions) {
      if (!blobOk(digest)) continue
      const { algorithm, hex } = parseDigest(digest)!
      let json: Record<string, unknown>
      try {
        json = JSON.parse(await readFile(blobPath(algorithm, hex), 'utf8')) as Record<string, unknown>
      } catch {
        problems.push(`${repo}: manifest ${digest} is not JSON`)
        continue
      }
      const mediaType = typeof json.mediaType === 'string' ? json.mediaType : Array.isArray(json.manifests) ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json'
      type Desc = { digest?: string; urls?: unknown }
      if (INDEX_TYPES.has(mediaType)) {
        for (const child of (json.manifests as Desc[] | undefined) ?? []) {
          if (!child.digest || !revisions.has(child.digest)) problems.push(`${repo}: index ${digest} names child ${child.digest}, which is not a revision here`)
        }
      } else if (MANIFEST_TYPES.has(mediaType) || json.config !== undefined) {
        const refs = [json.config as Desc, ...((json.layers as Desc[] | undefined) ?? [])]
        for (const ref of refs) {
          if (!ref?.digest) {
            problems.push(`${repo}: manifest ${digest} has a descriptor without a digest`)
            continue
          }
          if (Array.isArray(ref.urls) && ref.urls.length > 0) continue // foreign layer, served elsewhere
          if (!layers.has(ref.digest) && !revisions.has(ref.digest)) problems.push(`${repo}: manifest ${digest} references ${ref.digest}, which is not linked here`)
          else if (!blobOk(ref.digest)) problems.push(`${repo}: manifest ${digest} references ${ref.digest}, whose blob is missing`)
        }
      }
    }

    // Tags: current link -> a revision with its blob, and the tag's index knows that digest.
    const tagsDir = join(base, '_manifests', 'tags')
    for (const tag of await ls(tagsDir)) {
      const currentPath = join(tagsDir, tag.name, 'current', 'link')
      if (!(await isFile(currentPath))) {
        problems.push(`${repo}:${tag.name} is listed but has no current link`)
        continue
      }
      const text = await readFile(currentPath, 'utf8')
      const d = parseDigest(text)
      if (!d) {
        problems.push(`${repo}:${tag.name} current link says ${JSON.stringify(text.slice(0, 100))}`)
        continue
      }
      if (!revisions.has(text)) problems.push(`${repo}:${tag.name} points at ${text}, which has no revision link`)
      if (!blobOk(text)) problems.push(`${repo}:${tag.name} points at ${text}, whose blob is missing`)
      if (!(await isFile(join(tagsDir, tag.name, 'index', d.algorithm, d.hex, 'link'))))
        problems.push(`${repo}:${tag.name} points at ${text}, which its tag index does not list`)
    }

    if (options.uploads === 'forbid') {
      for (const u of await ls(join(base, '_uploads'))) problems.push(`${repo}: upload ${u.name} left behind`)
    }
  }

  if (options.tempFiles === 'forbid') {
    for (const t of await tempFilesUnder(v2)) problems.push(`temporary file left behind: ${t}`)
  }
  return problems
}

/**
 * Files under the registry tree that no part of it explains: anything but a blob's `data`, a `link`,
 * or an upload session's `data` and `startedat` (temporary files of atomic writes included). An
 * empty list means nothing was left behind.
 */
export async function strayFiles(dataDir: string): Promise<string[]> {
  const v2 = join(dataDir, 'docker', 'registry', 'v2')
  const out: string[] = []
  async function walk(dir: string, rel: string[]): Promise<void> {
    for (const e of await ls(dir)) {
      const parts = [...rel, e.name]
      if (e.dir) {
        await walk(join(dir, e.name), parts)
        continue
      }
      const inUpload = parts.length >= 3 && parts[parts.length - 3] === '_uploads'
      const ok =
        (parts[0] === 'blobs' && parts.length === 5 && e.name === 'data') ||
        (parts[0] === 'repositories' && e.name === 'link') ||
        (parts[0] === 'repositories' && inUpload && (e.name === 'data' || e.name === 'startedat'))
      if (!ok) out.push(parts.join('/'))
    }
  }
  await walk(v2, [])
  return out
}
