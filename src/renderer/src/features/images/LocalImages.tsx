import { useMemo } from 'react'
import { ArrowUpFromLine, Box, GripVertical, RefreshCw, Unplug } from 'lucide-react'
import type { LocalImage } from '@shared/model/docker'
import { Button, IconButton } from '../../components/Button'
import { EmptyState, InlineError, PanelHeader } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { SearchField } from '../../components/SearchField'
import { Spinner } from '../../components/Spinner'
import { cn } from '../../lib/cn'
import { formatBytes, formatRelative } from '../../lib/format'
import { useImages } from '../../store/images'
import { useTransfers } from '../../store/transfers'
import { startImageDrag } from './drag'

interface Row {
  ref: string
  image: LocalImage
}

/** One row per tag: that is what a developer drags. */
export function imageRows(images: readonly LocalImage[], filter: string): Row[] {
  const needle = filter.trim().toLowerCase()
  const rows: Row[] = []
  for (const image of images) for (const ref of image.tags) if (!needle || ref.toLowerCase().includes(needle)) rows.push({ ref, image })
  return rows
}

/** The Push… buttons of the image list: what the arrow keys move between. */
function pushButtons(): HTMLButtonElement[] {
  return [...document.querySelectorAll<HTMLButtonElement>('ul[aria-label="Local images"] button[data-push-image]')]
}

/** Up and Down move from one image to the next; Enter or Space on it opens its push dialog. */
function moveBetweenImages(e: React.KeyboardEvent) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
  const buttons = pushButtons()
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement)
  if (at < 0) return
  e.preventDefault()
  if (e.key === 'ArrowUp' && at === 0) return void document.querySelector<HTMLInputElement>('input[aria-label="Filter local images"]')?.focus()
  buttons[Math.max(0, Math.min(buttons.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))]?.focus()
}

/** The engine's images, each draggable onto a repository and pushable with Push… (keyboard). */
export function LocalImages() {
  const engine = useImages((s) => s.engine)
  const images = useImages((s) => s.images)
  const loading = useImages((s) => s.loading)
  const checking = useImages((s) => s.checking)
  const error = useImages((s) => s.error)
  const filter = useImages((s) => s.filter)
  const setFilter = useImages((s) => s.setFilter)
  const load = useImages((s) => s.load)
  const checkEngine = useImages((s) => s.checkEngine)
  const rows = useMemo(() => imageRows(images ?? [], filter), [images, filter])

  const unreachable = engine !== null && !engine.reachable
  return (
    <section aria-labelledby="local-images-title" className="flex min-h-0 flex-1 flex-col">
      <PanelHeader id="local-images-title" title="Local images" count={images ? rows.length : undefined}>
        <IconButton label="Refresh local images" onClick={() => void (unreachable ? checkEngine() : load())} disabled={loading || checking}>
          <RefreshCw className={cn('size-3.5', (loading || checking) && 'animate-spin')} aria-hidden />
        </IconButton>
      </PanelHeader>
      {unreachable ? (
        <EngineUnreachable />
      ) : (
        <>
          <div className="flex shrink-0 flex-col gap-2 border-b border-line px-3 py-2">
            <p className="text-[12px] text-muted">Drag an image onto a repository to push it, or press its Push… button.</p>
            <SearchField size="sm" label="Filter local images" placeholder="Filter images" value={filter} onChange={setFilter} onArrowDown={() => pushButtons()[0]?.focus()} />
          </div>
          {error ? <InlineError className="m-3" title="Could not list Docker’s images" message={<Advice text={error} />} action={<Button size="sm" onClick={() => void load()}>Try again</Button>} /> : null}
          {!images && !error ? (
            <div className="flex items-center gap-2 px-3 py-4 text-muted">
              <Spinner /> {engine ? 'Listing images…' : 'Looking for the Docker engine…'}
            </div>
          ) : null}
          {images && rows.length === 0 ? (
            <EmptyState icon={<Box className="size-6" />} title={filter ? 'No image matches' : 'Docker has no images'}>
              {filter ? 'Try another part of the name.' : <>Build or pull one, e.g. <code className="rounded bg-code px-1">docker build -t app:1.0 .</code></>}
            </EmptyState>
          ) : null}
          {images && rows.length > 0 ? (
            <ul aria-label="Local images" className="min-h-0 flex-1 overflow-y-auto py-1" onKeyDown={moveBetweenImages}>
              {rows.map((row) => (
                <ImageRow key={`${row.image.id}-${row.ref}`} row={row} />
              ))}
            </ul>
          ) : null}
        </>
      )}
    </section>
  )
}

function ImageRow({ row }: { row: Row }) {
  const openPush = useTransfers((s) => s.openPush)
  const setDragging = useImages((s) => s.setDragging)
  const dragging = useImages((s) => s.dragging === row.ref)
  const id = row.image.id.replace(/^sha256:/, '').slice(0, 12)
  return (
    <li
      draggable
      aria-label={row.ref}
      aria-roledescription="draggable image"
      data-image={row.ref}
      onDragStart={(e) => {
        startImageDrag(e, row.ref)
        setDragging(row.ref)
      }}
      onDragEnd={() => setDragging(null)}
      className={cn('group mx-1 flex cursor-grab items-center gap-1.5 rounded-md px-1.5 py-1.5 hover:bg-hover active:cursor-grabbing', dragging && 'opacity-50')}
    >
      <GripVertical className="size-3.5 shrink-0 text-subtle opacity-60 group-hover:opacity-100" aria-hidden />
      <div className="min-w-0 flex-1">
        <div className="truncate font-mono text-[12px] font-medium" title={row.ref}>
          {row.ref}
        </div>
        {/* Size and age whole; the id is what gives way in a narrow column. */}
        <div className="flex min-w-0 gap-1 text-[11px] text-subtle">
          <span className="shrink-0 whitespace-nowrap">
            {formatBytes(row.image.size)} · {formatRelative(row.image.created)} ·
          </span>
          <span className="truncate font-mono" title={row.image.id}>
            {id}
          </span>
        </div>
      </div>
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Push ${row.ref}…`}
        data-push-image
        className="h-6 px-1.5 text-muted group-hover:text-fg"
        icon={<ArrowUpFromLine className="size-3.5" aria-hidden />}
        onClick={() => openPush({ image: row.ref, repository: null })}
      >
        Push…
      </Button>
    </li>
  )
}

function EngineUnreachable() {
  const engine = useImages((s) => s.engine)!
  const checking = useImages((s) => s.checking)
  const checkEngine = useImages((s) => s.checkEngine)
  return (
    <div className="min-h-0 flex-1 overflow-y-auto p-3">
      <div role="alert" className="rounded-md border border-danger/30 bg-danger-soft p-3">
        <div className="mb-1 flex items-center gap-2 font-medium text-danger">
          <Unplug className="size-4" aria-hidden />
          Docker engine unreachable
        </div>
        <p className="text-[12px] break-words">
          <Advice text={(engine.problem ?? 'Berth cannot reach a Docker engine.').replace(/ Tried: .*?\. (?=Start|Point)/, ' ')} />
        </p>
      </div>
      {engine.tried.length > 0 ? (
        <div className="mt-3">
          <h3 className="mb-1 text-[11px] font-semibold tracking-wide text-muted uppercase">What Berth tried</h3>
          <ul className="space-y-1.5">
            {engine.tried.map((t) => (
              <li key={t.address} className="rounded-md border border-line bg-canvas px-2 py-1.5">
                <code className="block text-[12px] break-all">{t.address}</code>
                <span className="text-[11px] text-muted">
                  {t.source}: {t.problem ?? 'answered'}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p className="mt-3 text-[12px] text-muted">The registry keeps working without Docker: you can still browse, retag and delete, and push with any client.</p>
      <Button className="mt-3" size="sm" onClick={() => void checkEngine()} disabled={checking} icon={checking ? <Spinner className="size-3.5" /> : <RefreshCw className="size-3.5" aria-hidden />}>
        Check again
      </Button>
    </div>
  )
}
