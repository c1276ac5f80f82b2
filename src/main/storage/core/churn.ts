import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/*
 * Request bodies stream through Node in buffers made at network speed: node:http copies every chunk
 * of a body into a fresh ~64 KiB buffer. They die at once (see body-writer.ts), but V8 collects its
 * young generation only when the young heap fills, and a buffer's bytes live outside that heap:
 * about 32 MB of dead buffers pile up between two collections, whatever the young heap's size
 * (measured: a 1 GiB upload into a bare node:http server peaks at 32 MB of array buffers with 33
 * scavenges; with a young collection every 4 MiB received it peaks at 5 MB, at the same speed).
 * So the body writer reports the bytes it takes, and every CHURN_BYTES of them a young-generation
 * collection is asked for: a scavenge of a young heap that holds almost nothing alive, a fraction of
 * a millisecond. Where V8 will not expose its collector, this does nothing.
 */

export const CHURN_BYTES = 8 * 2 ** 20

type Collector = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void

let collector: Collector | null | undefined
let streamed = 0

function young(): Collector | null {
  if (collector === undefined) {
    try {
      // Exposes `gc` to contexts made from now on; the main context (and so every page) never sees it.
      setFlagsFromString('--expose-gc')
      collector = runInNewContext('gc') as Collector
    } catch {
      collector = null
    }
  }
  return collector
}

/** `bytes` more of a body were received. */
export function churned(bytes: number): void {
  streamed += bytes
  if (streamed < CHURN_BYTES) return
  streamed = 0
  young()?.({ type: 'minor' })
}
