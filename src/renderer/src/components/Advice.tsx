import { Fragment } from 'react'

/** A message from the service, with its `commands` shown as code. */
export function Advice({ text }: { text: string }) {
  const parts = text.split(/(`[^`]+`)/g)
  return (
    <>
      {parts.map((p, i) =>
        p.startsWith('`') && p.endsWith('`') && p.length > 2 ? (
          <code key={i} className={p.length > 40 ? 'rounded bg-code px-1 py-px text-[12px] break-all' : 'rounded bg-code px-1 py-px text-[12px] whitespace-nowrap'}>
            {p.slice(1, -1)}
          </code>
        ) : (
          <Fragment key={i}>{p}</Fragment>
        )
      )}
    </>
  )
}
