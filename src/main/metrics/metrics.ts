import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { RequestRecord } from '../registry/observe'
import type { Storage } from '../storage'
import { StorageStats } from './storage-stats'

/*
 * The registry's Prometheus metrics, on a private prom-client Registry (the global one is shared
 * by every library in the process): requests by route, method and status; bytes in and out;
 * upload and pull durations; storage size, repositories, blobs; failed logins. Served as text by
 * the app port's `GET /metrics` (http-transport.ts).
 */

const DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 15, 60, 300, 1200]

export interface Metrics {
  registry: Registry
  observe(record: RequestRecord): void
  loginFailure(reason: 'bad-credentials' | 'throttled'): void
  text(): Promise<string>
  contentType: string
}

export function createMetrics(options: { storage: () => Promise<Storage | null> }): Metrics {
  const registry = new Registry()
  const registers = [registry]
  collectDefaultMetrics({ register: registry, prefix: 'berth_' })

  const requests = new Counter({ name: 'berth_registry_requests_total', help: 'Registry API requests by route, method and status.', labelNames: ['route', 'method', 'status'], registers })
  const bytesIn = new Counter({ name: 'berth_registry_received_bytes_total', help: 'Bytes received on the registry port, by route.', labelNames: ['route'], registers })
  const bytesOut = new Counter({ name: 'berth_registry_sent_bytes_total', help: 'Bytes sent on the registry port, by route.', labelNames: ['route'], registers })
  // One series each, no labels: a histogram's buckets already multiply the series.
  const uploads = new Histogram({ name: 'berth_registry_upload_duration_seconds', help: 'Time of each blob upload request (POST, PATCH and PUT of an upload).', buckets: DURATION_BUCKETS, registers })
  const pulls = new Histogram({ name: 'berth_registry_pull_duration_seconds', help: 'Time of each blob download (GET of a blob).', buckets: DURATION_BUCKETS, registers })
  const loginFailures = new Counter({ name: 'berth_registry_login_failures_total', help: 'Logins refused: wrong name or password, or too many failures from one address.', labelNames: ['reason'], registers })

  const stats = new StorageStats(options.storage)
  new Gauge({
    name: 'berth_storage_bytes',
    help: 'Bytes of blob content in the data folder (counted at most once a minute).',
    registers,
    async collect() {
      this.set((await stats.numbers())?.bytes ?? 0)
    }
  })
  new Gauge({
    name: 'berth_storage_blobs',
    help: 'Blobs in the data folder.',
    registers,
    async collect() {
      this.set((await stats.numbers())?.blobs ?? 0)
    }
  })
  new Gauge({
    name: 'berth_storage_repositories',
    help: 'Repositories in the data folder.',
    registers,
    async collect() {
      this.set((await stats.numbers())?.repositories ?? 0)
    }
  })

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    loginFailure: (reason) => loginFailures.inc({ reason }),
    observe(r) {
      const status = r.completed ? String(r.status) : '499'
      const method = r.method === 'HEAD' ? 'HEAD' : r.method
      requests.inc({ route: r.route, method, status })
      if (r.bytesIn) bytesIn.inc({ route: r.route }, r.bytesIn)
      if (r.bytesOut) bytesOut.inc({ route: r.route }, r.bytesOut)
      const seconds = r.durationMs / 1000
      if ((r.route === 'blob-upload' || r.route === 'blob-upload-chunk') && r.method !== 'GET' && r.method !== 'DELETE') uploads.observe(seconds)
      else if (r.route === 'blob' && r.method === 'GET') pulls.observe(seconds)
    }
  }
}
