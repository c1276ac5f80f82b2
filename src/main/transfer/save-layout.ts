import { createHash } from 'node:crypto'

// What the entries of a `docker save` stream are, whichever engine wrote it, so that a layer can be
// recognised by its diff ID BEFORE its bytes are read (a layer Berth already stores is then skipped
// without being hashed). Entry order is not guaranteed; each format names its layers differently:
//
//   Docker ≤ 24   <v1-id>/VERSION, <v1-id>/json, <v1-id>/layer.tar, <config-hex>.json, manifest.json, repositories
//   Docker ≥ 25   blobs/sha256/<hex> (layers named by diff ID, config, OCI manifest), index.json, oci-layout, manifest.json
//   Podman        <diff-id-hex>.tar, <v1-id>/layer.tar → symlink to it, <config-hex>.json, manifest.json
//
// Legacy v1 ids are hashes: the id of every layer but the top one is sha256 of a small JSON holding the
// chain ID of the layers up to it and its parent's id, so it can be computed from the diff IDs alone
// and checked against the folder name (a match is proof). The top layer's id also hashes the image
// config; it is recognised by its `json` naming the second-to-top layer as parent.

export type EntryRole =
  | { kind: 'meta' }
  | { kind: 'legacy-json'; dir: string }
  | { kind: 'skip' }
  | { kind: 'config'; hex: string }
  | { kind: 'layer'; diffId: string | null; legacyDir?: string }
  /** `blobs/<alg>/<hex>` not named by a diff ID: a config, a manifest, or a compressed layer (the containerd store). */
  | { kind: 'blob'; digest: string }

const META = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories'])

export function entryRole(name: string, diffIds: ReadonlySet<string>): EntryRole {
  if (META.has(name)) return { kind: 'meta' }
  let m = /^([a-f0-9]{64})\/(json|VERSION|layer\.tar)$/.exec(name)
  if (m) return m[2] === 'json' ? { kind: 'legacy-json', dir: m[1] } : m[2] === 'VERSION' ? { kind: 'skip' } : { kind: 'layer', diffId: null, legacyDir: m[1] }
  m = /^([a-f0-9]{64})\.json$/.exec(name)
  if (m) return { kind: 'config', hex: m[1] }
  m = /^([a-f0-9]{64})\.tar$/.exec(name)
  if (m) return { kind: 'layer', diffId: diffIds.has(`sha256:${m[1]}`) ? `sha256:${m[1]}` : null }
  m = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(name)
  if (m) {
    const digest = `${m[1]}:${m[2]}`
    return diffIds.has(digest) ? { kind: 'layer', diffId: digest } : { kind: 'blob', digest }
  }
  return { kind: 'skip' }
}

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`

/** Docker's chain IDs: the first diff ID, then sha256("<chain> <diff ID>") for each layer above it. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = []
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`))
  return out
}

// `container_config` of a layer below the top, as Docker 20.10 marshals an empty container.Config.
// A save's own `<id>/json` files replace it when they differ (another engine version).
const EMPTY_CONTAINER_CONFIG =
  '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,' +
  '"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null}'
const EPOCH = '1970-01-01T00:00:00Z'

/** Maps the `<v1-id>/` folders of a legacy save to layer positions. */
export class LegacyLayerIds {
  private readonly positions = new Map<string, number>()
  private readonly tried = new Set<string>()
  private readonly parents = new Map<string, string | null>()
  private readonly chains: string[]

  constructor(private readonly diffIds: readonly string[]) {
    this.chains = chainIds(diffIds)
    this.compute(EMPTY_CONTAINER_CONFIG)
  }

  /** Go's v1.CreateID for every layer but the top: sha256 of the sorted-key JSON with layer_id and parent. */
  private compute(containerConfig: string): void {
    if (this.tried.has(containerConfig)) return
    this.tried.add(containerConfig)
    let parent: string | null = null
    for (let i = 0; i < this.diffIds.length - 1; i++) {
      const json: string = `{"container_config":${containerConfig},"created":"${EPOCH}","layer_id":"${this.chains[i]}"${parent ? `,"parent":"${parent}"` : ''}}`
      const id = sha256(json)
      this.positions.set(id.slice('sha256:'.length), i)
      parent = id
    }
  }

  /** A folder's `json`: its parent, and (for a layer below the top) the exact container_config its engine writes. */
  learn(dir: string, bytes: Buffer): void {
    let json: { parent?: unknown; created?: unknown; config?: unknown; container_config?: unknown }
    try {
      json = JSON.parse(bytes.toString('utf8'))
    } catch {
      return
    }
    this.parents.set(dir, typeof json.parent === 'string' ? json.parent : null)
    if (json.config === undefined && json.created === EPOCH && typeof json.container_config === 'object' && json.container_config !== null)
      this.compute(JSON.stringify(json.container_config))
  }

  /** The diff ID of a folder's layer.tar, or null when it cannot be proven. */
  diffIdOf(dir: string): string | null {
    const n = this.diffIds.length
    let position = this.positions.get(dir)
    if (position === undefined && n === 1) position = 0
    if (position === undefined && n > 1) {
      const parent = this.parents.get(dir)
      if (parent && this.positions.get(parent) === n - 2) position = n - 1
    }
    return position === undefined ? null : this.diffIds[position]
  }
}
