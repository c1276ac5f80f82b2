import { useState, type DragEvent } from 'react'

/** What a local image carries while dragged: its reference (name:tag, or the id of an untagged image). */
export const IMAGE_MIME = 'application/x-berth-image'

export function startImageDrag(e: DragEvent, ref: string): void {
  e.dataTransfer.setData(IMAGE_MIME, ref)
  e.dataTransfer.setData('text/plain', ref)
  e.dataTransfer.effectAllowed = 'copy'
}

function carriesImage(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes(IMAGE_MIME)
}

/** Drop-target wiring for a local image: `over` while one hovers, `onDrop(ref)` when released. */
export function useImageDrop(onDrop: (ref: string) => void) {
  const [over, setOver] = useState(false)
  const props = {
    onDragEnter(e: DragEvent) {
      if (!carriesImage(e)) return
      e.preventDefault()
      setOver(true)
    },
    onDragOver(e: DragEvent) {
      if (!carriesImage(e)) return
      e.preventDefault()
      e.dataTransfer.dropEffect = 'copy'
      if (!over) setOver(true)
    },
    onDragLeave(e: DragEvent) {
      if (e.currentTarget.contains(e.relatedTarget as Node | null)) return
      setOver(false)
    },
    onDrop(e: DragEvent) {
      const ref = e.dataTransfer.getData(IMAGE_MIME)
      setOver(false)
      if (!ref) return
      e.preventDefault()
      onDrop(ref)
    }
  }
  return { over, props }
}
