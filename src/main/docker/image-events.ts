import type Dockerode from 'dockerode'
import type { Readable } from 'node:stream'

// The engine's /events stream, image events only: what makes the Local images list live (a `docker
// tag` in a terminal shows at once). The stream ends when the engine goes away; the engine's watch
// follows it again when it comes back.

/** Image actions that change what `docker images` lists. */
const LISTED = new Set<string>(['tag', 'untag', 'delete', 'pull', 'load', 'import'])

export interface ImageEvent {
  action: string
  /** The image's name or id as the engine gives it. */
  image: string
}

/** Parses newline-delimited JSON events, keeping the image actions that change the list. */
export function imageEventsFrom(text: string): ImageEvent[] {
  const out: ImageEvent[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      const e = JSON.parse(line) as { Type?: string; Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: { name?: string } } }
      const action = e.Action ?? e.status ?? ''
      if ((e.Type ?? 'image') === 'image' && LISTED.has(action)) out.push({ action, image: e.Actor?.Attributes?.name ?? e.Actor?.ID ?? e.id ?? '' })
    } catch {
      // A partial line cannot happen here (lines are joined before parsing); anything else is not ours.
    }
  }
  return out
}

/**
 * Follows the engine's image events until `stop()` or the stream ends (then `onEnd`). `onEvent` is
 * called for each event; callers debounce.
 */
export async function followImageEvents(docker: Dockerode, onEvent: (e: ImageEvent) => void, onEnd: () => void): Promise<() => void> {
  const stream = (await docker.getEvents({ filters: JSON.stringify({ type: ['image'] }) })) as unknown as Readable
  let pending = ''
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    onEnd()
  }
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8')
    const cut = pending.lastIndexOf('\n')
    if (cut < 0) return
    for (const e of imageEventsFrom(pending.slice(0, cut))) onEvent(e)
    pending = pending.slice(cut + 1)
  })
  stream.on('end', end)
  stream.on('close', end)
  stream.on('error', end)
  return () => {
    ended = true
    stream.destroy()
  }
}
