import { ChevronLeft, Tag as TagIcon } from 'lucide-react'
import { isDigest } from '@shared/reference'
import { Button } from '../../../components/Button'
import { EmptyState, InlineError } from '../../../components/Panel'
import { Advice } from '../../../components/Advice'
import { Spinner } from '../../../components/Spinner'
import { shortDigest } from '../../../lib/format'
import { useCatalog } from '../../../store/catalog'
import { TagHeader } from './TagHeader'

/** One tag (or digest) in detail: what it is, what to do with it, and its layers, config, history, platforms. */
export function TagDetail() {
  const detail = useCatalog((s) => s.detail)
  const loadDetail = useCatalog((s) => s.loadDetail)
  const back = useCatalog((s) => s.back)
  const tags = useCatalog((s) => s.tags)

  if (!detail) {
    return (
      <section aria-label="Tag details" className="flex min-h-0 flex-1 items-center justify-center border-t border-line">
        <EmptyState icon={<TagIcon className="size-6" />} title="Select a tag">
          Its layers, configuration and history show here.
        </EmptyState>
      </section>
    )
  }
  const { data, loading, error } = detail
  const summary = tags?.items?.find((t) => t.tag === detail.reference)

  return (
    <section aria-label={`Details of ${detail.repository}:${detail.reference}`} className="flex min-h-0 flex-1 flex-col border-t border-line bg-panel">
      {detail.parent ? (
        <div className="flex shrink-0 items-center gap-1 border-b border-line px-3 py-1 text-[12px]">
          <Button size="sm" variant="ghost" className="h-6 px-1.5" onClick={back} icon={<ChevronLeft className="size-3.5" aria-hidden />}>
            Back to {isDigest(detail.parent) ? shortDigest(detail.parent) : `${detail.repository}:${detail.parent}`}
          </Button>
          <span className="text-subtle">/ platform manifest</span>
        </div>
      ) : null}
      {error && !data ? (
        <InlineError className="m-3" title={`Could not read ${detail.repository}:${detail.reference}`} message={<Advice text={error} />} action={<Button size="sm" onClick={() => void loadDetail()}>Try again</Button>} />
      ) : !data ? (
        <div className="flex items-center gap-2 p-4 text-muted" role="status">
          <Spinner /> Reading the manifest…
        </div>
      ) : (
        <TagHeader
          data={data}
          reference={detail.reference}
          isTag={!isDigest(detail.reference)}
          inIndex={detail.parent !== null}
          pushedAt={summary?.pushedAt ?? null}
          size={summary?.size ?? null}
          refreshing={loading}
        />
      )}
    </section>
  )
}
