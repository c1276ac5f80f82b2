import { render } from '@testing-library/react'
import { Tooltip } from 'radix-ui'
import type { ReactNode } from 'react'
import { Toaster } from '../components/Toaster'

export const wrap = (ui: ReactNode) =>
  render(
    <Tooltip.Provider>
      {ui}
      <Toaster />
    </Tooltip.Provider>
  )

export function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}
