import { activityMatches as matches, type ActivityEntry, type ActivityFilter } from '@shared/model/sharing'
import type { RequestRecord } from '../registry/observe'
import { RotatingFile, type RotatingFileOptions } from './rotating-file'

/*
 * Who did what on the registry port: every request as an entry (time, account or "anonymous",
 * client, method, repository, reference, status, bytes, duration), kept in a bounded ring for the
 * Activity view and appended as JSON lines to `<data>/berth/logs/access.log` (rotated by size).
 * Entries never hold credentials: the account name is all that auth hands on.
 */

export interface ActivityLogOptions extends RotatingFileOptions {
  /** The logs folder, asked at every write (the data folder can change). Null: memory only. */
  dir: (() => string) | null
  capacity?: number
  onEntry?: (entry: ActivityEntry) => void
}

export function entryOf(record: RequestRecord): ActivityEntry {
  return {
    time: record.time,
    account: record.account ?? 'anonymous',
    client: record.client,
    method: record.method,
    route: record.route,
    repository: record.repository,
    reference: record.reference,
    // A client that hung up before the answer was complete: 499, as Distribution and nginx log it.
    status: record.completed ? record.status : 499,
    bytesIn: record.bytesIn,
    bytesOut: record.bytesOut,
    durationMs: record.durationMs
  }
}


export class ActivityLog {
  private readonly ring: (ActivityEntry | undefined)[]
  private next = 0
  private count = 0
  private readonly file: RotatingFile | null

  constructor(private readonly options: ActivityLogOptions) {
    this.ring = new Array(options.capacity ?? 5000)
    this.file = options.dir ? new RotatingFile(options.dir, 'access.log', options) : null
  }

  record(record: RequestRecord): ActivityEntry {
    const entry = entryOf(record)
    this.ring[this.next] = entry
    this.next = (this.next + 1) % this.ring.length
    this.count = Math.min(this.count + 1, this.ring.length)
    this.file?.append(JSON.stringify(entry))
    this.options.onEntry?.(entry)
    return entry
  }

  /** Newest first, at most `limit` (default 500). */
  list(filter: ActivityFilter = {}): ActivityEntry[] {
    const limit = filter.limit ?? 500
    const out: ActivityEntry[] = []
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const entry = this.ring[(this.next - i + this.ring.length) % this.ring.length]!
      if (matches(entry, filter)) out.push(entry)
    }
    return out
  }

  flush(): Promise<void> {
    return this.file?.flush() ?? Promise.resolve()
  }

  close(): Promise<void> {
    return this.file?.close() ?? Promise.resolve()
  }
}
