import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { chainIds, entryRole, LegacyLayerIds } from './save-layout'

// From a real `docker save` of a three-layer image by Docker 20.10 (busybox base + two RUN layers).
const DIFF_IDS = [
  'sha256:3d24b598eb631b261b483567b086d841d2b5cebb0788834eabacf21a5d27ef44',
  'sha256:18ed1cfa8010461187be47d2f7569fedf9e391683ea6cc2b46ff32b99bef6f9b',
  'sha256:e825d96edca20b2925470b988cfd42b728a480419a11f150b0949bc8d3248599'
]
const DIRS = [
  '69f02ed5ea5570153400293760336b102b313b20c1d3ec9b820a6d58914b9c9f',
  '43511b4ac6cd6dd5c6b96e98a6e628a04ce8748b5c61d055370d7cadbb474021',
  '6b5f2974f6c7be7297535413f713492c5ea65edd7c46684953057f93124a2cf9'
]
const TOP_JSON = JSON.stringify({ id: DIRS[2], parent: DIRS[1], created: '2026-12-02T05:58:50.07133584Z', config: { Cmd: ['cat', '/a'] }, os: 'linux' })

describe('the layout of a docker save stream', () => {
  it('computes the v1 ids of every layer below the top from the diff IDs alone', () => {
    const ids = new LegacyLayerIds(DIFF_IDS)
    expect(ids.diffIdOf(DIRS[0])).toBe(DIFF_IDS[0])
    expect(ids.diffIdOf(DIRS[1])).toBe(DIFF_IDS[1])
    // The top layer's id hashes the config: only its json's parent proves where it sits.
    expect(ids.diffIdOf(DIRS[2])).toBeNull()
    ids.learn(DIRS[2], Buffer.from(TOP_JSON))
    expect(ids.diffIdOf(DIRS[2])).toBe(DIFF_IDS[2])
  })

  it('proves nothing for folders it cannot compute, and a single layer is the image', () => {
    const ids = new LegacyLayerIds(DIFF_IDS.slice(1))
    expect(ids.diffIdOf(DIRS[0])).toBeNull()
    ids.learn(DIRS[2], Buffer.from(TOP_JSON))
    expect(ids.diffIdOf(DIRS[2])).toBeNull()
    expect(new LegacyLayerIds([DIFF_IDS[0]]).diffIdOf(DIRS[0])).toBe(DIFF_IDS[0])
  })

  it('learns another engine version’s empty container_config from a lower layer’s json', () => {
    // A made-up engine whose container.Config has one more field: the built-in guess no longer matches.
    const cc = '{"Hostname":"","Extra":null}'
    const id0 = createHash('sha256').update(`{"container_config":${cc},"created":"1970-01-01T00:00:00Z","layer_id":"${DIFF_IDS[0]}"}`).digest('hex')
    const ids = new LegacyLayerIds(DIFF_IDS)
    expect(ids.diffIdOf(id0)).toBeNull()
    ids.learn(id0, Buffer.from(`{"id":"${id0}","created":"1970-01-01T00:00:00Z","container_config":${cc},"os":"linux"}`))
    expect(ids.diffIdOf(id0)).toBe(DIFF_IDS[0])
  })

  it('chain IDs as Docker computes them', () => {
    const chains = chainIds(DIFF_IDS)
    expect(chains[0]).toBe(DIFF_IDS[0])
    expect(chains).toHaveLength(3)
    expect(new Set(chains).size).toBe(3)
  })

  it('tells the role of each entry in all three formats', () => {
    const diffIds = new Set(DIFF_IDS)
    const hex = DIFF_IDS[1].slice(7)
    expect(entryRole('manifest.json', diffIds)).toEqual({ kind: 'meta' })
    expect(entryRole(`${DIRS[0]}/json`, diffIds)).toEqual({ kind: 'legacy-json', dir: DIRS[0] })
    expect(entryRole(`${DIRS[0]}/VERSION`, diffIds)).toEqual({ kind: 'skip' })
    expect(entryRole(`${DIRS[0]}/layer.tar`, diffIds)).toEqual({ kind: 'layer', diffId: null, legacyDir: DIRS[0] })
    expect(entryRole(`${hex}.json`, diffIds)).toEqual({ kind: 'config', hex })
    expect(entryRole(`${hex}.tar`, diffIds)).toEqual({ kind: 'layer', diffId: DIFF_IDS[1] })
    expect(entryRole(`blobs/sha256/${hex}`, diffIds)).toEqual({ kind: 'layer', diffId: DIFF_IDS[1] })
    expect(entryRole(`blobs/sha256/${'a'.repeat(64)}`, diffIds)).toEqual({ kind: 'blob', digest: `sha256:${'a'.repeat(64)}` })
    expect(entryRole('oci-layout', diffIds)).toEqual({ kind: 'meta' })
  })
})
