import { stat, statfs } from 'node:fs/promises'
import { dirname } from 'node:path'
import { isNotFound } from './files'

// How much room the data folder's disk has, for refusing a write before a byte of it is read.

export interface Room {
  /** Bytes an unprivileged writer may still use (statfs `bavail`, not `bfree`: root's reserve is not ours). */
  freeBytes: number
  totalBytes: number
}

/** The free and total bytes of the volume holding `dir` (or its nearest existing parent). */
export async function freeSpace(dir: string): Promise<Room> {
  let at = dir
  for (;;) {
    try {
      const s = await statfs(at)
      return { freeBytes: Number(s.bavail) * Number(s.bsize), totalBytes: Number(s.blocks) * Number(s.bsize) }
    } catch (err) {
      const up = dirname(at)
      if (!isNotFound(err) || up === at) throw err
      at = up
    }
  }
}

export interface RoomCheck extends Room {
  /** `bytes` fits and leaves at least `reserveBytes` free. */
  fits: boolean
}

/** Whether `bytes` more fit on the volume of `dir` while keeping `reserveBytes` free. */
export async function checkRoom(dir: string, bytes: number, reserveBytes: number): Promise<RoomCheck> {
  const room = await freeSpace(dir)
  return { ...room, fits: bytes + reserveBytes <= room.freeBytes }
}

/** A write failed because the disk (or the user's quota) is full. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/** `1234.5 MB`, as the advice sentences give sizes. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`
}

/**
 * What a write must leave free on the data folder's volume: 5% of it, at most 64 MiB. Enough for the
 * manifests, links and logs that finish what is under way, and for the rest of the machine; small
 * volumes (a 24 MiB test disk, a nearly full laptop) keep a proportionate share rather than none.
 */
export function reserveFor(totalBytes: number): number {
  return Math.min(64 * 2 ** 20, Math.floor(totalBytes * 0.05))
}

/** The mount point of the volume holding `dir` (or its nearest existing parent): the highest folder on the same device. */
export async function volumeOf(dir: string): Promise<string> {
  let at = dir
  let st = await stat(at).catch(() => null)
  while (!st) {
    const up = dirname(at)
    if (up === at) return at
    at = up
    st = await stat(at).catch(() => null)
  }
  for (;;) {
    const up = dirname(at)
    if (up === at) return at
    const parent = await stat(up).catch(() => null)
    if (!parent || parent.dev !== st.dev) return at
    at = up
  }
}

export type DiskLevel = 'ok' | 'low' | 'full'

export interface DiskState extends Room {
  reserveBytes: number
  /** full: writes are refused now (or were in the last minute); low: less than 1 GiB left (10% of a volume under 10 GiB). */
  level: DiskLevel
  /** The mount point, as the advice names it. */
  volume: string
}

/** How long a write refused for lack of space keeps the disk reported full, though the refused bytes were removed at once. */
const REFUSAL_MEMORY_MS = 60_000

/** The data folder's disk: room for a write before it starts, and its state for the window. */
export class DiskSpace {
  private refusedAt = -Infinity
  private volume: string | null = null
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now
  ) {}

  /** Whether `bytes` fit while leaving the reserve free. */
  async room(bytes: number): Promise<RoomCheck & { reserveBytes: number }> {
    const room = await freeSpace(this.dir)
    const reserveBytes = reserveFor(room.totalBytes)
    return { ...room, reserveBytes, fits: bytes + reserveBytes <= room.freeBytes }
  }

  /** A write was just refused for lack of space (before it began, or by ENOSPC/EDQUOT). */
  refused(): void {
    this.refusedAt = this.now()
    for (const listener of this.listeners) listener()
  }

  /** Hears each refusal (the window shows "disk full" at once); returns the unsubscribe. */
  onRefused(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  async state(): Promise<DiskState> {
    const room = await freeSpace(this.dir)
    const reserveBytes = reserveFor(room.totalBytes)
    this.volume ??= await volumeOf(this.dir)
    const full = room.freeBytes <= reserveBytes || this.now() - this.refusedAt < REFUSAL_MEMORY_MS
    const low = room.freeBytes < Math.min(2 ** 30, room.totalBytes * 0.1)
    return { ...room, reserveBytes, level: full ? 'full' : low ? 'low' : 'ok', volume: this.volume }
  }
}
