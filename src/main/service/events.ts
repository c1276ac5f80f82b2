import type { EventName, EventPayload } from '@shared/contract'

type Listener = (event: EventName, payload: unknown) => void

/** The service's events, typed by the contract. Transports subscribe once and forward everything. */
export class EventBus {
  private readonly listeners = new Set<Listener>()

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload)
      } catch {
        // A broken transport must not break the service.
      }
    }
  }

  /** Every event; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.subscribe((name, payload) => {
      if (name === event) listener(payload as EventPayload<E>)
    })
  }
}
