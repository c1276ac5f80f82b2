// The listing phase of `npm run bench`: a seeded folder of many repositories and one with many
// tags, walked and paged; latency per request and the server's CPU per request.
import { createHash } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cpuNs, start } from './servers.mjs'

export const REPOS = 2000
export const TAGS = 1000
const sha = (b) => createHash('sha256').update(b).digest('hex')

/**
 * Writes Distribution's on-disk layout straight into `dir` (deterministic, so identical for both
 * servers): `repos` repositories with one tag `latest` each, plus `many/tags` holding `tags` tags,
 * all pointing at one tiny manifest whose blob data is stored once.
 */
export function seedListing(dir, repos, tags) {
  const v2 = join(dir, 'docker', 'registry', 'v2')
  const config = Buffer.from('{}')
  const configHex = sha(config)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: config.length },
      layers: []
    })
  )
  const mHex = sha(manifest)
  for (const [hex, bytes] of [[configHex, config], [mHex, manifest]]) {
    mkdirSync(join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex), { recursive: true })
    writeFileSync(join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'), bytes)
  }
  const link = (path, hex) => {
    mkdirSync(path, { recursive: true })
    writeFileSync(join(path, 'link'), `sha256:${hex}`)
  }
  const repo = (name, tagNames) => {
    const base = join(v2, 'repositories', name)
    link(join(base, '_layers', 'sha256', configHex), configHex)
    link(join(base, '_manifests', 'revisions', 'sha256', mHex), mHex)
    for (const t of tagNames) {
      link(join(base, '_manifests', 'tags', t, 'current'), mHex)
      link(join(base, '_manifests', 'tags', t, 'index', 'sha256', mHex), mHex)
    }
  }
  for (let i = 0; i < repos; i++) repo(`team${String(i % 20).padStart(2, '0')}/app-${String(i).padStart(5, '0')}`, ['latest'])
  repo('many/tags', Array.from({ length: tags }, (_, i) => `v${String(i).padStart(4, '0')}`))
}

/** GET with the global fetch (undici, keep-alive); the body is read in full so the connection is reused. */
async function get(url) {
  const res = await fetch(url)
  const body = Buffer.from(await res.arrayBuffer())
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${body.toString().slice(0, 200)}`)
  return { link: res.headers.get('link'), body }
}

async function ms(fn) {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

/** Walks and pages `dataDir` (seeded by seedListing) on `kind`, `walkReps` walks and `listReps` requests of each series. */
export async function listings(kind, dataDir, { add, walkReps, listReps }) {
  const s = await start(kind, dataDir)
  try {
    const walk = async (check) => {
      let next = `${s.url}/v2/_catalog?n=100`
      let count = 0
      while (next) {
        const res = await get(next)
        if (check) count += JSON.parse(res.body).repositories.length
        const m = res.link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.link)
        next = m ? new URL(m[1], s.url).href : null
      }
      if (check && count !== REPOS + 1) throw new Error(`${kind}: the walk listed ${count} repositories, not ${REPOS + 1}`)
    }
    // One checked pass of everything first: proof both serve the same answers, and a warm-up for both.
    await walk(true)
    const page = JSON.parse((await get(`${s.url}/v2/_catalog?n=1000`)).body).repositories
    if (page.length !== 1000) throw new Error(`${kind}: _catalog?n=1000 gave ${page.length} repositories`)
    for (const q of ['', '?n=1000']) {
      const tags = JSON.parse((await get(`${s.url}/v2/many/tags/tags/list${q}`)).body).tags
      if (tags.length !== TAGS) throw new Error(`${kind}: tags/list${q} gave ${tags.length} tags`)
    }
    const WARM = 50 // server JIT/caches and the client's fetch path
    const series = [
      ['pingMs', `${s.url}/v2/`],
      ['catalogPageMs', `${s.url}/v2/_catalog?n=1000`],
      ['tagsMs', `${s.url}/v2/many/tags/tags/list`],
      ['tagsN1000Ms', `${s.url}/v2/many/tags/tags/list?n=1000`]
    ]
    for (let i = 0; i < walkReps; i++) add(kind, 'catalogWalkMs', await ms(() => walk(false)))
    for (const [metric, url] of series) {
      for (let i = 0; i < WARM; i++) await get(url)
      const cpu = cpuNs(s.pid)
      for (let i = 0; i < listReps; i++) add(kind, metric, await ms(() => get(url)))
      // The server's own cost, free of the client's: fetch alone costs more than Berth's whole answer.
      add(kind, metric.replace(/Ms$/, 'CpuUs'), (cpuNs(s.pid) - cpu) / 1000 / listReps)
    }
  } finally {
    await s.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
