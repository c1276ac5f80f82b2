import { BerthError } from '@shared/errors'
import type { StorageProgress } from '@shared/model/storage'
import type { ProgressFn } from '../storage/manage'
import type { EventBus } from './events'

const BUSY_WITH: Record<StorageProgress['operation'], string> = {
  gc: 'a garbage collection',
  move: 'moving the data folder',
  export: 'an export',
  import: 'an import',
  verify: 'verifying the blobs',
  delete: 'deleting a repository',
  policy: 'running a storage policy'
}

export interface StorageBusy {
  /** Runs one long storage operation, never two at once; progress as storage.progress (~10 a second). */
  exclusive<T>(operation: StorageProgress['operation'], fn: (onProgress: ProgressFn) => Promise<T>): Promise<T>
  /** Refuses a change that must not land in the middle of a long operation. */
  notBusy(): void
  /** What runs now, for people; null when nothing does. */
  current(): string | null
}

/**
 * The one lock of the long storage operations (a collection during a move would read a folder that
 * is going away), shared by the Storage API and the policy scheduler.
 */
export function createStorageBusy(bus: EventBus): StorageBusy {
  let busy: string | null = null

  function progress(operation: StorageProgress['operation']): ProgressFn & { finish(): void } {
    let last = 0
    let phase: string | null = null
    const fn = ((p) => {
      const now = Date.now()
      // A new phase always shows (with the item it starts on), as does the end of one.
      if (now - last < 100 && p.done !== p.total && p.phase === phase) return
      last = now
      phase = p.phase
      bus.emit('storage.progress', { operation, ...p, finished: false })
    }) as ProgressFn & { finish(): void }
    fn.finish = () => bus.emit('storage.progress', { operation, phase: 'finished', done: 1, total: 1, finished: true })
    return fn
  }

  function notBusy(): void {
    if (busy) throw new BerthError('CONFLICT', `Berth is busy with ${busy}; wait until it has finished.`, { busy })
  }

  return {
    notBusy,
    current: () => busy,
    async exclusive(operation, fn) {
      notBusy()
      busy = BUSY_WITH[operation]
      const p = progress(operation)
      try {
        return await fn(p)
      } finally {
        busy = null
        p.finish()
      }
    }
  }
}
