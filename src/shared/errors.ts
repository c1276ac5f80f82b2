import { z } from 'zod'

// Errors cross every boundary (IPC, HTTP) as data, never as a thrown "Error invoking remote method".
// The message reads like advice: what happened and what to do.

export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'REGISTRY_STOPPED',
  'PORT_IN_USE',
  'ADDRESS_UNAVAILABLE',
  'FOLDER_NOT_WRITABLE',
  'FOLDER_GONE',
  'DISK_FULL',
  'DOCKER_UNREACHABLE',
  'DOCKER_FAILED',
  'INSECURE_REGISTRY',
  'TRANSFER_FAILED',
  'REMOTE_UNREACHABLE',
  'REMOTE_TLS',
  'REMOTE_UNAUTHORIZED',
  'REMOTE_FORBIDDEN',
  'REMOTE_FAILED',
  'CANCELLED',
  'UNKNOWN_METHOD',
  'INTERNAL'
] as const

export type BerthErrorCode = (typeof ERROR_CODES)[number]

export const BerthErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  detail: z.unknown().optional()
})
export type BerthErrorData = z.infer<typeof BerthErrorSchema>

export class BerthError extends Error {
  constructor(
    readonly code: BerthErrorCode,
    message: string,
    readonly detail?: unknown
  ) {
    super(message)
    this.name = 'BerthError'
  }

  toData(): BerthErrorData {
    return this.detail === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, detail: this.detail }
  }

  static from(data: BerthErrorData): BerthError {
    return new BerthError(data.code, data.message, data.detail)
  }
}

/** Why a value was refused, in one sentence a person can act on: the first problem and where, and how many more. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0]
  if (!first) return 'invalid'
  const where = first.path.length ? `${first.path.join('.')}: ` : ''
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : ''
  return `${where}${first.message}${more}`
}

/** Anything thrown, as wire data: BerthErrors keep their code, the rest become INTERNAL. */
export function toErrorData(err: unknown): BerthErrorData {
  if (err instanceof BerthError) return err.toData()
  // A schema refusal deep inside (e.g. a settings file edited by hand) reads as its first issue, not as JSON.
  if (err instanceof z.ZodError) return { code: 'INTERNAL', message: `Berth met data it cannot use (${describeZodIssues(err.issues)}).`, detail: err.issues }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message: `Something went wrong inside Berth: ${message}` }
}

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: BerthErrorData }
