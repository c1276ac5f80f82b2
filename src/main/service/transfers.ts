import { randomUUID } from 'node:crypto'
import type { Transfer } from '@shared/model/docker'
import { overall, type ProgressState } from '../docker/progress'
import type { EventBus } from './events'

export type TransferRunner = (signal: AbortSignal, onUpdate: (s: ProgressState) => void) => Promise<ProgressState>

const KEEP_FINISHED = 50
const THROTTLE_MS = 100

/**
 * Push and pull jobs: each has an id, an AbortController and per-layer progress. Progress events are
 * throttled (at most one per 100 ms per transfer) but the final state is always sent.
 */
export class TransferManager {
  private readonly transfers = new Map<string, { transfer: Transfer; controller: AbortController }>()

  constructor(private readonly bus: EventBus) {}

  list(): Transfer[] {
    return [...this.transfers.values()].map((t) => t.transfer).reverse()
  }

  get(id: string): Transfer | undefined {
    return this.transfers.get(id)?.transfer
  }

  start(
    kind: Transfer['kind'],
    source: string,
    target: string,
    run: TransferRunner,
    advise: (message: string) => string,
    route: Pick<Transfer, 'path' | 'encoding'> = { path: 'engine', encoding: kind === 'push' ? 'gzip' : null }
  ): Transfer {
    const controller = new AbortController()
    const transfer: Transfer = {
      id: randomUUID(),
      kind,
      source,
      target,
      state: 'running',
      ...route,
      layers: [],
      overall: { current: 0, total: 0, percent: 0, layersDone: 0, layers: 0 },
      digest: null,
      imageBytes: null,
      error: null,
      startedAt: new Date().toISOString(),
      endedAt: null
    }
    this.transfers.set(transfer.id, { transfer, controller })
    this.prune()
    this.bus.emit('transfer.progress', { ...transfer })

    let last = 0
    let pending: NodeJS.Timeout | undefined
    const publish = () => {
      pending = undefined
      last = Date.now()
      this.bus.emit('transfer.progress', { ...transfer, layers: transfer.layers.map((l) => ({ ...l })) })
    }
    const onUpdate = (s: ProgressState) => {
      transfer.layers = [...s.layers.values()]
      // A bar never goes back (a layer's size becoming known, or extraction restarting its count).
      const next = overall(s)
      transfer.overall = { ...next, percent: Math.max(next.percent, transfer.overall.percent) }
      transfer.digest = s.digest
      transfer.imageBytes = s.imageBytes
      if (transfer.state !== 'running') return
      const wait = THROTTLE_MS - (Date.now() - last)
      if (wait <= 0) publish()
      else if (!pending) pending = setTimeout(publish, wait)
    }
    const finish = (state: Transfer['state'], error: Transfer['error']) => {
      clearTimeout(pending)
      transfer.state = state
      transfer.error = error
      transfer.endedAt = new Date().toISOString()
      if (state === 'done') {
        for (const l of transfer.layers) if (l.phase !== 'mounted' && l.phase !== 'exists') l.phase = 'done'
        transfer.overall = { ...transfer.overall, percent: 100, current: transfer.overall.total, layersDone: transfer.layers.length }
      }
      publish()
    }
    run(controller.signal, onUpdate).then(
      (s) => {
        onUpdate(s)
        if (controller.signal.aborted) finish('cancelled', { code: 'CANCELLED', message: 'Cancelled.' })
        else if (s.error) finish('error', { code: 'TRANSFER_FAILED', message: advise(s.error) })
        else finish('done', null)
      },
      (err: Error & { json?: { message?: string } }) => {
        if (controller.signal.aborted) finish('cancelled', { code: 'CANCELLED', message: 'Cancelled.' })
        // The engine's own sentence (dockerode prefixes "(HTTP code 404) unexpected - " to err.message).
        else finish('error', { code: (err as { code?: string }).code ?? 'TRANSFER_FAILED', message: advise(err.json?.message ?? err.message) })
      }
    )
    return transfer
  }

  /** Cancels a running transfer; false when there is no such running transfer. */
  cancel(id: string): boolean {
    const t = this.transfers.get(id)
    if (!t || t.transfer.state !== 'running') return false
    t.controller.abort()
    return true
  }

  cancelAll(): void {
    for (const t of this.transfers.values()) if (t.transfer.state === 'running') t.controller.abort()
  }

  private prune(): void {
    const finished = [...this.transfers.values()].filter((t) => t.transfer.state !== 'running')
    for (const t of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.transfers.delete(t.transfer.id)
  }
}
