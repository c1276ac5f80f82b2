/** What export and import report while they work (the CLI prints it, the service forwards it as StorageProgress). */
export interface ArchiveProgress {
  phase: string
  done: number
  total: number | null
  /** What is being worked on, for people: a digest, an image name, a tar entry. */
  item?: string
}

export type ProgressListener = (p: ArchiveProgress) => void

/** At most one report per `everyBytes` within an item, plus each item's start and end. */
export function byteReporter(onProgress: ProgressListener | undefined, phase: string, total: number | null, everyBytes = 4 << 20) {
  let done = 0
  let lastReported = -Infinity
  return {
    get done() {
      return done
    },
    add(bytes: number, item?: string) {
      done += bytes
      if (onProgress && done - lastReported >= everyBytes) {
        lastReported = done
        onProgress({ phase, done, total, item })
      }
    },
    report(item?: string) {
      lastReported = done
      onProgress?.({ phase, done, total, item })
    }
  }
}
