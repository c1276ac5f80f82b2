import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'

// Checks a Distribution-layout data folder the way a paranoid admin would: every blob's bytes hash to
// its name, every tag points at a manifest revision whose blob exists, every layer link's blob exists.

async function ls(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [])
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')))
  })
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false
  )
}

export async function repositoriesIn(v2: string): Promise<string[]> {
  const out: string[] = []
  async function walk(dir: string, prefix: string) {
    const entries = await ls(dir)
    if (prefix && (entries.includes('_manifests') || entries.includes('_layers') || entries.includes('_uploads'))) out.push(prefix)
    for (const e of entries) if (!e.startsWith('_')) await walk(join(dir, e), prefix ? `${prefix}/${e}` : e)
  }
  await walk(join(v2, 'repositories'), '')
  return out
}

/** Problems found in the folder (empty when healthy). */
export async function verifyTree(dataDir: string): Promise<string[]> {
  const v2 = join(dataDir, 'docker', 'registry', 'v2')
  const problems: string[] = []
  const blobRoot = join(v2, 'blobs', 'sha256')
  for (const two of await ls(blobRoot)) {
    for (const hex of await ls(join(blobRoot, two))) {
      const data = join(blobRoot, two, hex, 'data')
      if (!(await exists(data))) continue
      const actual = await sha256File(data)
      if (actual !== hex) problems.push(`blob ${hex} holds bytes hashing to ${actual}`)
    }
  }
  const blobExists = (hex: string) => exists(join(blobRoot, hex.slice(0, 2), hex, 'data'))
  for (const repo of await repositoriesIn(v2)) {
    const base = join(v2, 'repositories', repo)
    for (const hex of await ls(join(base, '_layers', 'sha256'))) {
      if (!(await exists(join(base, '_layers', 'sha256', hex, 'link')))) continue
      if (!(await blobExists(hex))) problems.push(`${repo}: layer link ${hex} has no blob`)
    }
    for (const tag of await ls(join(base, '_manifests', 'tags'))) {
      const link = join(base, '_manifests', 'tags', tag, 'current', 'link')
      const text = await readFile(link, 'utf8').catch(() => null)
      if (text === null) continue
      const hex = text.trim().replace(/^sha256:/, '')
      if (!(await exists(join(base, '_manifests', 'revisions', 'sha256', hex, 'link')))) problems.push(`${repo}:${tag} points at ${hex}, which has no revision link`)
      if (!(await blobExists(hex))) problems.push(`${repo}:${tag} points at ${hex}, whose blob is missing`)
    }
  }
  return problems
}
