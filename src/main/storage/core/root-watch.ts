import { stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import type { Layout } from './paths'

/*
 * Whether the data folder being served is still the one that was opened. A folder can be moved,
 * deleted, unmounted (an external disk unplugged, a network share dropped) or replaced while Berth
 * serves it; its paths then lead nowhere, or into an empty folder, and a registry that carried on
 * would answer "not found" for everything and grow a fresh empty tree on the next push. So the
 * identity of the folder and of its `docker/registry/v2` (device and inode) is recorded at open and
 * compared before writes and every couple of seconds. While they differ the folder is "gone"; it is
 * "back" once the same folder is there again, or the same path holds a registry tree again (a copy
 * moved back, a disk mounted again), which is then adopted.
 */

/** Why the data folder cannot be served now: one sentence of what happened and what to do. */
export interface RootProblem {
  reason: 'missing' | 'not-a-registry'
  message: string
}

/** A write was refused because the data folder is gone (see RootWatch). */
export class StorageUnavailableError extends Error {
  constructor(readonly problem: RootProblem) {
    super(problem.message)
  }
}

interface Identity {
  dev: number
  ino: number
}

const identityOf = (st: Stats): Identity => ({ dev: st.dev, ino: st.ino })
const same = (a: Identity, b: Identity) => a.dev === b.dev && a.ino === b.ino

async function statDir(path: string): Promise<Stats | null> {
  try {
    const st = await stat(path)
    return st.isDirectory() ? st : null
  } catch {
    return null
  }
}

export type RootListener = (problem: RootProblem | null, event: 'gone' | 'back') => void

export class RootWatch {
  private root: Identity | null = null
  private v2: Identity | null = null
  private current: RootProblem | null = null
  private checking: Promise<RootProblem | null> | null = null
  private timer: NodeJS.Timeout | undefined
  private readonly listeners = new Set<RootListener>()

  constructor(private readonly layout: Layout) {}

  /** Records the folder as it is now (called once the tree exists). */
  async record(): Promise<void> {
    const [root, v2] = await Promise.all([statDir(this.layout.root), statDir(this.layout.v2)])
    if (root && v2) {
      this.root = identityOf(root)
      this.v2 = identityOf(v2)
    }
  }

  /** The problem found by the last check, or null while the folder is there. */
  get problem(): RootProblem | null {
    return this.current
  }

  /** Looks again (concurrent callers share one look); announces a change to the listeners. */
  check(): Promise<RootProblem | null> {
    this.checking ??= this.look().finally(() => {
      this.checking = null
    })
    return this.checking
  }

  /** Throws StorageUnavailableError when the folder is gone: call before writing. */
  async ensure(): Promise<void> {
    const problem = await this.check()
    if (problem) throw new StorageUnavailableError(problem)
  }

  /** Hears when the folder goes and comes back; returns the unsubscribe. */
  onChange(listener: RootListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Checks every `intervalMs` until `stop` (the timer never keeps the process alive). */
  watch(intervalMs = 2000): void {
    clearInterval(this.timer)
    this.timer = setInterval(() => void this.check().catch(() => {}), intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private async look(): Promise<RootProblem | null> {
    const { root: rootPath, v2: v2Path } = this.layout
    const [root, v2] = await Promise.all([statDir(rootPath), statDir(v2Path)])
    let problem: RootProblem | null = null
    let adopted = false
    if (!root) {
      problem = {
        reason: 'missing',
        message: `The data folder ${rootPath} is gone (moved, deleted or its disk unmounted); put it back or mount the disk again and Berth serves it again, or choose another folder in Settings.`
      }
    } else if (!v2) {
      problem = {
        reason: 'not-a-registry',
        message: `The data folder ${rootPath} no longer holds a registry (its docker/registry/v2 is gone: replaced, emptied or an unmounted disk's mount point); put the folder back and Berth serves it again, or choose another folder in Settings.`
      }
    } else if (!this.root || !this.v2 || !same(identityOf(root), this.root) || !same(identityOf(v2), this.v2)) {
      // The same path holds a registry tree again (moved back as a copy, remounted): that is the folder now.
      adopted = this.root !== null
      this.root = identityOf(root)
      this.v2 = identityOf(v2)
    }
    const was = this.current
    this.current = problem
    // A tree swapped for another without a gap is "back" too: whatever was cached of the old one is stale.
    if (adopted || (was === null) !== (problem === null) || (was && problem && was.reason !== problem.reason)) {
      for (const listener of this.listeners) {
        try {
          listener(problem, problem ? 'gone' : 'back')
        } catch {
          // A listener's failure is its own.
        }
      }
    }
    return problem
  }
}
