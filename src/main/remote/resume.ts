import { createHash } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../storage/core/files'

// Uploads a copy started and did not finish, so that the next run of the same copy continues them
// (the target says how many bytes it holds; the source is read from there with Range) instead of
// sending every byte again. One small file per blob: `<dir>/<sha256 of target+repo+digest>.json`.

export interface ResumeStore {
  get(target: string, repo: string, digest: string): Promise<string | null>
  set(target: string, repo: string, digest: string, handle: string): Promise<void>
  clear(target: string, repo: string, digest: string): Promise<void>
}

export class FileResumeStore implements ResumeStore {
  constructor(private readonly dir: string) {}

  private file(target: string, repo: string, digest: string): string {
    return join(this.dir, `${createHash('sha256').update(`${target}\u0000${repo}\u0000${digest}`).digest('hex')}.json`)
  }

  async get(target: string, repo: string, digest: string): Promise<string | null> {
    try {
      return (JSON.parse(await readFile(this.file(target, repo, digest), 'utf8')) as { handle?: string }).handle ?? null
    } catch {
      return null
    }
  }

  async set(target: string, repo: string, digest: string, handle: string): Promise<void> {
    await writeFileAtomic(this.file(target, repo, digest), JSON.stringify({ handle, at: new Date().toISOString() }))
  }

  async clear(target: string, repo: string, digest: string): Promise<void> {
    await rm(this.file(target, repo, digest), { force: true })
  }
}

/** Keeps nothing: copies that need not survive the process (tests, the pull-through cache). */
export const noResume: ResumeStore = {
  get: async () => null,
  set: async () => {},
  clear: async () => {}
}
