import type { MethodName } from '../shared/contract/channels'

declare global {
  interface Window {
    berth: Record<MethodName, (input?: unknown) => Promise<unknown>>
  }
}
