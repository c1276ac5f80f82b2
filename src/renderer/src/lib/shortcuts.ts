import { useEffect } from 'react'

/** Whether a key press lands in something that takes text (where `/` is a character, not a shortcut). */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || (target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(target.type))
}

/** The search box of the view on screen (a SearchField marked `primary`), selected so typing replaces it. */
export function focusPrimarySearch(): boolean {
  const boxes = [...document.querySelectorAll<HTMLInputElement>('[data-primary-search]')]
  // The one on screen (a hidden view keeps none in the DOM, but be sure); without layout (tests), the first.
  const box = boxes.find((el) => el.offsetParent !== null || el.getClientRects().length > 0) ?? boxes[0]
  if (!box) return false
  box.focus()
  box.select()
  return true
}

/** `/` and Ctrl+K (⌘K) focus the current view's search, as in GitHub and Docker Desktop; not while a dialog is open. */
export function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const slash = e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target)
      const k = (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k'
      if (!slash && !k) return
      if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return
      if (focusPrimarySearch()) e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
