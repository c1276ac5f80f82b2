import { useCallback, useRef, useState, type RefObject } from 'react'

/** The width of an element, followed as it resizes (a callback ref: measured once mounted). */
export function useWidth(): [(el: HTMLElement | null) => void, number] {
  const [width, setWidth] = useState(0)
  const ref = useCallback((el: HTMLElement | null) => {
    if (!el) return
    setWidth(el.clientWidth)
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]?.contentRect.width ?? el.clientWidth)))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  return [ref, width]
}

/**
 * A scroll container for a virtualizer whose width is followed too: the element (for
 * `getScrollElement`), the callback ref to put on it, and its width.
 */
export function useScrollerWidth(): [RefObject<HTMLDivElement | null>, (el: HTMLDivElement | null) => void, number] {
  const scrollRef = useRef<HTMLDivElement>(null)
  const [measure, width] = useWidth()
  const ref = useCallback(
    (el: HTMLDivElement | null) => {
      scrollRef.current = el
      return measure(el)
    },
    [measure]
  )
  return [scrollRef, ref, width]
}
