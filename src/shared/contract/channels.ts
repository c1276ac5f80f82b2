// Method and event names of the contract between the renderer and main: all a sandboxed preload
// may import. The schemas behind each name live in api.ts.
export const METHODS = ['app.info'] as const
export const EVENTS = [] as const

export type MethodName = (typeof METHODS)[number]
export type EventName = (typeof EVENTS)[number]
