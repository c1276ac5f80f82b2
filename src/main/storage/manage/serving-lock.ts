import { readFile, rm } from 'node:fs/promises'
import { writeFileAtomic } from '../core/files'
import { paths, type Layout } from '../core/paths'

// `<data>/berth/serving.json`: which process serves this folder, so that offline commands
// (`berth gc`, `berth move`) refuse to change a folder a running registry is writing to.

export interface ServingInfo {
  pid: number
  port: number
  host: string
  since: string
  /** How it is shared (absent: plain HTTP on loopback, as before sharing existed). */
  scheme?: 'http' | 'https'
  anonymousPull?: boolean
  customCert?: boolean
  /** Its pull-through upstreams (`serve --mirror`), for `berth mirror info`. */
  mirrors?: string[]
}

const file = paths.servingFile

export async function markServing(layout: Layout, info: Omit<ServingInfo, 'pid' | 'since'>): Promise<void> {
  await writeFileAtomic(file(layout), JSON.stringify({ pid: process.pid, since: new Date().toISOString(), ...info }))
}

export async function clearServing(layout: Layout): Promise<void> {
  const current = await servingProcess(layout, { includeSelf: true })
  if (!current || current.pid === process.pid) await rm(file(layout), { force: true })
}

/** The live process serving this folder, if any (a stale file of a dead process is ignored). */
export async function servingProcess(layout: Layout, options: { includeSelf?: boolean } = {}): Promise<ServingInfo | null> {
  let info: ServingInfo
  try {
    info = JSON.parse(await readFile(file(layout), 'utf8')) as ServingInfo
  } catch {
    return null
  }
  if (!Number.isInteger(info.pid)) return null
  if (info.pid === process.pid) return options.includeSelf ? info : null
  try {
    process.kill(info.pid, 0)
    return info
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? info : null
  }
}
