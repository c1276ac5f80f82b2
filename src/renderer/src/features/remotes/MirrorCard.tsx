import { useEffect } from 'react'
import { RefreshCw } from 'lucide-react'
import { IconButton } from '../../components/Button'
import { CopyButton } from '../../components/CopyButton'
import { InlineError, PanelHeader } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { formatBytes, plural } from '../../lib/format'
import { useRemotes } from '../../store/remotes'

/** The pull-through cache: its upstreams, hits and misses, what it holds, its budget, and what to tell Docker. */
export function MirrorCard() {
  const mirror = useRemotes((s) => s.mirror)
  const error = useRemotes((s) => s.mirrorError)
  const load = useRemotes((s) => s.loadMirror)
  useEffect(() => {
    void load()
  }, [load])
  return (
    <section aria-labelledby="mirror-title" className="flex shrink-0 flex-col border-b border-line">
      <PanelHeader id="mirror-title" title="Pull-through cache">
        <IconButton label="Refresh the cache figures" onClick={() => void load()}>
          <RefreshCw className="size-3.5" aria-hidden />
        </IconButton>
      </PanelHeader>
      <div className="flex flex-col gap-2 p-3 text-[12px]">
        {error ? <InlineError title="Could not read the cache" message={<Advice text={error} />} /> : null}
        {mirror && mirror.mirrors.length > 0 ? (
          <>
            <ul aria-label="Upstreams" className="space-y-0.5">
              {mirror.mirrors.map((m) => (
                <li key={m.url} className="truncate font-mono" title={m.url}>
                  {m.url}
                  {m.prefix ? <span className="text-subtle"> as {m.prefix}/…</span> : null}
                </li>
              ))}
            </ul>
            <dl className="grid grid-cols-2 gap-x-3 gap-y-0.5 tabular-nums" aria-label="Cache figures">
              <dt className="text-muted">Hits / misses</dt>
              <dd>
                {mirror.stats.hits.toLocaleString()} / {mirror.stats.misses.toLocaleString()}
              </dd>
              <dt className="text-muted">Cached tags</dt>
              <dd>{mirror.cachedTags.toLocaleString()}</dd>
              <dt className="text-muted">Fetched</dt>
              <dd>
                {plural(mirror.stats.blobsFetched, 'blob')}, {formatBytes(mirror.stats.bytesFetched)}
              </dd>
              <dt className="text-muted">Budget</dt>
              <dd>{mirror.budgetBytes === null ? 'none' : formatBytes(mirror.budgetBytes)}</dd>
              {mirror.stats.evictedTags > 0 ? (
                <>
                  <dt className="text-muted">Evicted</dt>
                  <dd>{plural(mirror.stats.evictedTags, 'tag')}</dd>
                </>
              ) : null}
              {mirror.stats.upstreamErrors > 0 ? (
                <>
                  <dt className="text-muted">Upstream errors</dt>
                  <dd className="text-warning">{mirror.stats.upstreamErrors.toLocaleString()}</dd>
                </>
              ) : null}
            </dl>
          </>
        ) : null}
        {mirror?.advice.length ? (
          <ul aria-label="Tell Docker" className={mirror.mirrors.length > 0 ? 'space-y-1.5 border-t border-line pt-2' : 'space-y-1.5 text-muted'}>
            {mirror.advice.map((a) => (
              <li key={a} className="flex items-start gap-1">
                <span className="min-w-0 flex-1 break-words">
                  <Advice text={a} />
                </span>
                {/`[^`]+`/.test(a) ? <CopyButton text={a.match(/`([^`]+)`/)![1]} label={`Copy: ${a.match(/`([^`]+)`/)![1]}`} size="xs" /> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  )
}
