import type { z } from 'zod'
import type { Envelope } from '../errors'
import { events, methods } from './api'
import { EVENT_NAMES, METHOD_NAMES, ipcChannel, type EventName, type MethodName } from './channels'

export { events, methods, EVENT_NAMES, METHOD_NAMES, ipcChannel, type EventName, type MethodName }

export type Methods = typeof methods
export type Events = typeof events

// The names in channels.ts are exactly the contract's keys (a missing or extra name does not compile).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const namesMatch: [Same<MethodName, keyof Methods>, Same<EventName, keyof Events>] = [true, true]
void namesMatch

/** What a caller passes (defaults not yet applied; optional inputs may be omitted). */
export type ApiInput<M extends MethodName> = z.input<Methods[M]['input']>
/** What the implementation receives (validated, defaults applied). */
export type ApiParsedInput<M extends MethodName> = z.output<Methods[M]['input']>
export type ApiOutput<M extends MethodName> = z.output<Methods[M]['output']>
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>

/** The service: one function per method. */
export type Api = { [M in MethodName]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>> }

/** window.berth in Electron: invoke by name, subscribe to events (returns an unsubscribe). */
export interface BerthBridge {
  invoke<M extends MethodName>(method: M, input?: ApiInput<M>): Promise<Envelope<ApiOutput<M>>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** Where a file dropped into the window is on disk (Electron's webUtils.getPathForFile), for storage.import. */
  pathForFile(file: File): string
}
