import type { z } from 'zod'
import type { Envelope } from '../errors'
import { events, methods } from './api'

export { events, methods }

export type Methods = typeof methods
export type Events = typeof events
export type MethodName = keyof Methods
export type EventName = keyof Events

export const METHOD_NAMES = Object.keys(methods) as MethodName[]
export const EVENT_NAMES = Object.keys(events) as EventName[]

/** What a caller passes (defaults not yet applied; optional inputs may be omitted). */
export type ApiInput<M extends MethodName> = z.input<Methods[M]['input']>
/** What the implementation receives (validated, defaults applied). */
export type ApiParsedInput<M extends MethodName> = z.output<Methods[M]['input']>
export type ApiOutput<M extends MethodName> = z.output<Methods[M]['output']>
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>

/** The service: one function per method. */
export type Api = { [M in MethodName]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>> }

/** What the renderer calls: the same methods, answering the `{ ok, result | error }` envelope. */
export type BerthClient = {
  [M in MethodName]: undefined extends ApiInput<M>
    ? (input?: ApiInput<M>) => Promise<Envelope<ApiOutput<M>>>
    : (input: ApiInput<M>) => Promise<Envelope<ApiOutput<M>>>
}

/** window.berth in Electron: invoke by name, subscribe to events (returns an unsubscribe). */
export interface BerthBridge {
  invoke<M extends MethodName>(method: M, input?: ApiInput<M>): Promise<Envelope<ApiOutput<M>>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** Where a file dropped into the window is on disk (Electron's webUtils.getPathForFile), for storage.import. */
  pathForFile(file: File): string
}

/** IPC channel names: a prefix keeps Berth's channels apart from anything else. */
export const ipcChannel = {
  method: (name: MethodName) => `berth:${name}`,
  event: (name: EventName) => `berth-event:${name}`
}
