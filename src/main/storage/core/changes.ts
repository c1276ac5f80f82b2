import { AsyncLocalStorage } from 'node:async_hooks'
import type { CatalogChange } from '@shared/model/catalog'

/** What a write to the store changed: the repository (`''`: possibly all of them), how, and the tag or digest. */
export type StorageChange = CatalogChange
export type ChangeListener = (change: StorageChange) => void

/**
 * The one feed of changes to a data folder. The store's write methods emit into it, the caches
 * inside storage (catalog, sizes) and the service (the `catalog.changed` event) listen; nothing
 * else announces a change, so a new write path cannot forget to.
 *
 * A long operation (an import, a collection) runs inside `coalesce`: its many small writes reach the
 * listeners as one change per repository, with the operation's own action, when it ends. The batch
 * follows the operation's own async calls only, so a client pushing meanwhile is announced at once.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>()
  private readonly batch = new AsyncLocalStorage<{ action: StorageChange['action']; repositories: Set<string> }>()

  emit(change: StorageChange): void {
    const batch = this.batch.getStore()
    if (batch) {
      batch.repositories.add(change.repository)
      return
    }
    this.deliver(change)
  }

  /** Every change; returns the unsubscribe. A listener that throws never breaks a write. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Runs `fn`, then announces one `action` change (with `reference`, when given) per repository it wrote to. */
  async coalesce<T>(action: StorageChange['action'], fn: () => Promise<T>, reference?: string): Promise<T> {
    const batch = { action, repositories: new Set<string>() }
    try {
      return await this.batch.run(batch, fn)
    } finally {
      const all = batch.repositories.has('')
      for (const repository of all ? [''] : batch.repositories) this.emit({ repository, action, ...(reference !== undefined ? { reference } : {}) })
    }
  }

  private deliver(change: StorageChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch {
        // A broken listener must not fail the write that already happened.
      }
    }
  }
}
