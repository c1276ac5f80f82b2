/*
 * Repeated failed logins from one address get slower: the first few are free (a typo), then each
 * further failure locks that address out twice as long (1 s, 2 s, 4 s … up to 5 min), answered with
 * 429 TOOMANYREQUESTS and Retry-After. A success or a quiet quarter of an hour forgets the address.
 * The table is bounded, so a flood of addresses cannot grow it without limit.
 */

export interface ThrottleOptions {
  freeFailures?: number
  baseDelayMs?: number
  maxDelayMs?: number
  forgetAfterMs?: number
  maxClients?: number
  now?: () => number
}

interface Record {
  failures: number
  lastFailure: number
  lockedUntil: number
}

export class LoginThrottle {
  private readonly clients = new Map<string, Record>()
  private readonly freeFailures: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private readonly forgetAfterMs: number
  private readonly maxClients: number
  private readonly now: () => number

  constructor(options: ThrottleOptions = {}) {
    this.freeFailures = options.freeFailures ?? 5
    this.baseDelayMs = options.baseDelayMs ?? 1000
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000
    this.maxClients = options.maxClients ?? 10_000
    this.now = options.now ?? Date.now
  }

  private record(client: string): Record | undefined {
    const r = this.clients.get(client)
    if (r && this.now() - r.lastFailure > this.forgetAfterMs) {
      this.clients.delete(client)
      return undefined
    }
    return r
  }

  /** Milliseconds this address must wait before its next login attempt is even checked (0: go ahead). */
  retryAfterMs(client: string): number {
    const r = this.record(client)
    return r ? Math.max(0, r.lockedUntil - this.now()) : 0
  }

  failure(client: string): void {
    const now = this.now()
    const r = this.record(client) ?? { failures: 0, lastFailure: now, lockedUntil: 0 }
    r.failures++
    r.lastFailure = now
    const over = r.failures - this.freeFailures
    if (over >= 0) r.lockedUntil = now + Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(over, 30))
    // Re-inserted last: the Map's order is the age order, so the oldest goes first when full.
    this.clients.delete(client)
    this.clients.set(client, r)
    if (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value as string)
  }

  success(client: string): void {
    this.clients.delete(client)
  }
}
