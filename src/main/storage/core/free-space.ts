import { statfs } from 'node:fs/promises'
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
