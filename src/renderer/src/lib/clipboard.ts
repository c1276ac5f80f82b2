/** Copies text; the async API needs a secure context (the app and 127.0.0.1 are), else the old way. */
export async function copyText(text: string): Promise<void> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return
    }
  } catch {
    // Denied (no permission, no focus): fall through to the selection way.
  }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.appendChild(area)
  area.select()
  const ok = document.execCommand?.('copy')
  area.remove()
  if (!ok) throw new Error('The clipboard is not available here; select the text and copy it by hand.')
}
