import { useState } from 'react'
import { DropdownMenu, Tabs } from 'radix-ui'
import { ArrowDownToLine, ChevronDown, ChevronLeft, Layers, Play, ShieldCheck, Tag as TagIcon, Terminal, Trash2 } from 'lucide-react'
import type { ManifestDetail } from '@shared/model/catalog'
import { layerCompression } from '@shared/layer-media'
import { Button } from '../../components/Button'
import { CopyButton } from '../../components/CopyButton'
import { Badge } from '../../components/Badge'
import { EmptyState, InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Spinner } from '../../components/Spinner'
import { copyText } from '../../lib/clipboard'
import { messageOf } from '../../lib/client'
import { cn } from '../../lib/cn'
import { formatBytes, formatDate, formatPlatform, formatRelative, mediaTypeLabel, shortDigest } from '../../lib/format'
import { useCatalog } from '../../store/catalog'
import { useImages } from '../../store/images'
import { notify } from '../../store/notices'
import { useRegistry } from '../../store/registry'
import { useTransfers } from '../../store/transfers'
import { DeleteManifestDialog, DeleteTagDialog } from './DeleteDialogs'
import { RetagDialog } from './RetagDialog'
import { RunDialog } from './RunDialog'

type DialogName = 'retag' | 'run' | 'delete-tag' | 'delete-manifest' | null

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
            Back to {detail.parent.startsWith('sha') ? shortDigest(detail.parent) : `${detail.repository}:${detail.parent}`}
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
        <Loaded
          data={data}
          reference={detail.reference}
          isTag={!/^sha(256|512):/.test(detail.reference)}
          inIndex={detail.parent !== null}
          pushedAt={summary?.pushedAt ?? null}
          size={summary?.size ?? null}
          refreshing={loading}
        />
      )}
    </section>
  )
}

interface LoadedProps {
  data: ManifestDetail
  reference: string
  isTag: boolean
  /** A platform manifest opened from its index: deleting it alone would break the index. */
  inIndex: boolean
  pushedAt: string | null
  size: number | null
  refreshing: boolean
}

function Loaded({ data, reference, isTag, inIndex, pushedAt, size, refreshing }: LoadedProps) {
  const [dialog, setDialog] = useState<DialogName>(null)
  const pullCommand = useCatalog((s) => s.pullCommand)
  const pull = useTransfers((s) => s.pull)
  const running = useRegistry((s) => s.status?.state === 'running')
  const engineDown = useImages((s) => s.engine !== null && !s.engine.reachable)
  const pullBlocked = !running ? 'Start the registry to pull from it' : engineDown ? 'Docker is unreachable' : undefined
  const platforms = data.children.filter((c) => !c.attestation)
  const attestations = data.children.length - platforms.length
  const layerBytes = data.layers.reduce((n, l) => n + l.size, 0)
  // The tag's summary counts an index's children too; a digest opened alone counts what it names.
  const total = size ?? data.size + (data.config?.size ?? 0) + layerBytes
  const name = `${data.repository}${isTag ? ':' : '@'}${reference}`

  const copyPull = async () => {
    try {
      const command = await pullCommand(data.repository, reference)
      await copyText(command)
      notify({ kind: 'success', title: 'Copied the pull command', message: `\`${command}\`` })
    } catch (err) {
      notify({ kind: 'error', title: 'Could not copy the pull command', message: messageOf(err) })
    }
  }

  return (
    <>
      <div className="shrink-0 border-b border-line px-4 pt-3 pb-3">
        <div className="flex items-center gap-2">
          <h2 className="min-w-0 truncate font-mono text-[15px] font-semibold" title={name}>
            {isTag ? reference : shortDigest(reference, 16)}
          </h2>
          <KindBadge data={data} platforms={platforms.length} />
          {attestations > 0 ? (
            <Badge tone="neutral" title="BuildKit provenance / SBOM attestations stored beside the platforms">
              <ShieldCheck className="size-3" aria-hidden />
              {attestations} build {attestations === 1 ? 'attestation' : 'attestations'}
            </Badge>
          ) : null}
          {refreshing ? <Spinner className="size-3.5" label="Refreshing" /> : null}
        </div>
        <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-0.5 text-[12px] text-muted">
          <span className="inline-flex items-center gap-0.5">
            <code title={data.digest}>{shortDigest(data.digest, 16)}</code>
            <CopyButton text={data.digest} label="Copy digest" size="xs" />
          </span>
          <span>{formatBytes(total)}</span>
          {data.image?.created ? <span title={formatDate(data.image.created)}>built {formatRelative(data.image.created)}</span> : null}
          {pushedAt ? <span title={formatDate(pushedAt)}>pushed {formatRelative(pushedAt)}</span> : null}
          {data.tags.length > 1 || (!isTag && data.tags.length > 0) ? <span title={data.tags.join(', ')}>tags: {listSome(data.tags, 6)}</span> : null}
        </div>
        <div className="mt-3 flex flex-wrap items-center gap-1.5" role="toolbar" aria-label="Tag actions">
          <Button size="sm" onClick={() => void copyPull()} icon={<Terminal className="size-3.5" aria-hidden />}>
            Copy pull command
          </Button>
          <Button
            size="sm"
            disabled={!!pullBlocked}
            title={pullBlocked}
            onClick={() => void pull({ repository: data.repository, reference })}
            icon={<ArrowDownToLine className="size-3.5" aria-hidden />}
          >
            Pull to Docker
          </Button>
          <Button size="sm" onClick={() => setDialog('retag')} icon={<TagIcon className="size-3.5" aria-hidden />}>
            Retag…
          </Button>
          <Button size="sm" disabled={!!pullBlocked} title={pullBlocked} onClick={() => setDialog('run')} icon={<Play className="size-3.5" aria-hidden />}>
            Run…
          </Button>
          {inIndex ? null : (
            <DropdownMenu.Root>
              <DropdownMenu.Trigger asChild>
                <Button size="sm" variant="danger-outline" icon={<Trash2 className="size-3.5" aria-hidden />}>
                  Delete
                  <ChevronDown className="size-3" aria-hidden />
                </Button>
              </DropdownMenu.Trigger>
              <DropdownMenu.Portal>
                <DropdownMenu.Content align="start" sideOffset={4} className="z-50 min-w-[220px] rounded-md border border-line bg-panel p-1 shadow-pop">
                  {isTag ? (
                    <DropdownMenu.Item onSelect={() => setDialog('delete-tag')} className="flex cursor-default flex-col rounded px-2 py-1.5 outline-none data-[highlighted]:bg-hover">
                      <span className="text-danger">Delete tag…</span>
                      <span className="text-[11px] text-subtle">Only the name {reference}</span>
                    </DropdownMenu.Item>
                  ) : null}
                  <DropdownMenu.Item onSelect={() => setDialog('delete-manifest')} className="flex cursor-default flex-col rounded px-2 py-1.5 outline-none data-[highlighted]:bg-hover">
                    <span className="text-danger">Delete manifest…</span>
                    <span className="text-[11px] text-subtle">The image and every tag on it</span>
                  </DropdownMenu.Item>
                </DropdownMenu.Content>
              </DropdownMenu.Portal>
            </DropdownMenu.Root>
          )}
        </div>
      </div>

      <DetailTabs data={data} />

      <RetagDialog open={dialog === 'retag'} onOpenChange={(o) => setDialog(o ? 'retag' : null)} repository={data.repository} reference={reference} />
      <RunDialog open={dialog === 'run'} onOpenChange={(o) => setDialog(o ? 'run' : null)} data={data} reference={reference} />
      {isTag ? <DeleteTagDialog open={dialog === 'delete-tag'} onOpenChange={(o) => setDialog(o ? 'delete-tag' : null)} data={data} tag={reference} /> : null}
      <DeleteManifestDialog open={dialog === 'delete-manifest'} onOpenChange={(o) => setDialog(o ? 'delete-manifest' : null)} data={data} />
    </>
  )
}

/** The first few of a list, then how many more. */
export function listSome(items: readonly string[], n: number): string {
  return items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} and ${items.length - n} more`
}

function KindBadge({ data, platforms }: { data: ManifestDetail; platforms: number }) {
  if (data.kind === 'index') return <Badge tone="accent">Multi-platform · {platforms}</Badge>
  if (data.kind === 'artifact') return <Badge title={data.artifactType ?? undefined}>Artifact</Badge>
  const p = data.image
  return <Badge tone="accent">{p?.os ? formatPlatform({ os: p.os, architecture: p.architecture ?? '?', variant: p.variant ?? undefined }) : 'Image'}</Badge>
}

function DetailTabs({ data }: { data: ManifestDetail }) {
  const tabs =
    data.kind === 'index'
      ? [{ id: 'platforms', label: `Platforms (${data.children.filter((c) => !c.attestation).length})` }, { id: 'manifest', label: 'Manifest' }]
      : [
          { id: 'layers', label: `Layers (${data.layers.length})` },
          ...(data.image ? [{ id: 'config', label: 'Config' }, { id: 'history', label: `History (${data.image.history.length})` }] : []),
          { id: 'manifest', label: 'Manifest' }
        ]
  const [tab, setTab] = useState(tabs[0].id)
  const value = tabs.some((t) => t.id === tab) ? tab : tabs[0].id
  return (
    <Tabs.Root value={value} onValueChange={setTab} className="flex min-h-0 flex-1 flex-col">
      <Tabs.List aria-label="Manifest details" className="flex shrink-0 gap-1 border-b border-line px-3">
        {tabs.map((t) => (
          <Tabs.Trigger
            key={t.id}
            value={t.id}
            className="-mb-px border-b-2 border-transparent px-2 py-2 text-[12px] font-medium text-muted hover:text-fg data-[state=active]:border-accent data-[state=active]:text-fg"
          >
            {t.label}
          </Tabs.Trigger>
        ))}
      </Tabs.List>
      <div className="min-h-0 flex-1 overflow-y-auto">
        <Tabs.Content value="layers" className="outline-none">
          <LayersTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="config" className="outline-none">
          <ConfigTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="history" className="outline-none">
          <HistoryTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="platforms" className="outline-none">
          <PlatformsTab data={data} />
        </Tabs.Content>
        <Tabs.Content value="manifest" className="outline-none">
          <pre className="m-3 overflow-x-auto rounded-md bg-code p-3 text-[12px] leading-relaxed">{pretty(data.raw)}</pre>
        </Tabs.Content>
      </div>
    </Tabs.Root>
  )
}

function pretty(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2)
  } catch {
    return raw
  }
}

/** How a layer is kept, for people: a push by export may store layers uncompressed. */
const STORED = { gzip: 'gzip', zstd: 'zstd', uncompressed: 'uncompressed', other: '—' } as const

function storedAs(layers: ManifestDetail['layers']): string {
  const kinds = new Set(layers.map((l) => (layerCompression(l.mediaType) === 'uncompressed' ? 'uncompressed' : 'compressed')))
  return kinds.size === 1 ? [...kinds][0] : 'stored'
}

function LayersTab({ data }: { data: ManifestDetail }) {
  const total = data.layers.reduce((n, l) => n + l.size, 0)
  if (data.layers.length === 0) return <EmptyState icon={<Layers className="size-6" />} title="No layers" />
  return (
    <div className="px-3 py-2">
      <p className="mb-2 text-[12px] text-muted">
        {data.layers.length} {data.layers.length === 1 ? 'layer' : 'layers'}, {formatBytes(total)} {storedAs(data.layers)}
        {data.config ? ` · config ${formatBytes(data.config.size)} (${mediaTypeLabel(data.config.mediaType)})` : ''}
      </p>
      <table className="w-full table-fixed border-collapse text-[12px]" aria-label="Layers">
        <thead>
          <tr className="text-left text-[11px] tracking-wide text-subtle uppercase">
            <th className="w-8 py-1 font-semibold">#</th>
            <th className="py-1 font-semibold">Media type</th>
            <th className="w-[92px] py-1 font-semibold">Stored</th>
            <th className="w-[168px] py-1 font-semibold">Digest</th>
            <th className="w-[72px] py-1 text-right font-semibold">Size</th>
            <th className="w-[22%] py-1 pl-3 font-semibold">Share</th>
          </tr>
        </thead>
        <tbody>
          {data.layers.map((l, i) => {
            const share = total > 0 ? (100 * l.size) / total : 0
            return (
              <tr key={`${l.digest}-${i}`} className="border-t border-line/70">
                <td className="py-1.5 text-subtle tabular-nums">{i + 1}</td>
                <td className="truncate py-1.5" title={l.mediaType}>
                  {mediaTypeLabel(l.mediaType)}
                </td>
                <td className="py-1.5 text-muted">{STORED[layerCompression(l.mediaType) ?? 'other']}</td>
                <td className="py-1.5">
                  <span className="inline-flex items-center gap-0.5">
                    <code className="text-muted" title={l.digest}>
                      {shortDigest(l.digest)}
                    </code>
                    <CopyButton text={l.digest} label={`Copy digest of layer ${i + 1}`} size="xs" />
                  </span>
                </td>
                <td className="py-1.5 text-right tabular-nums">{formatBytes(l.size)}</td>
                <td className="py-1.5 pl-3">
                  <div className="flex items-center gap-2">
                    <div
                      className="h-1.5 flex-1 overflow-hidden rounded-full bg-raised"
                      role="meter"
                      aria-label={`Layer ${i + 1} share of the image`}
                      aria-valuenow={Math.round(share)}
                      aria-valuemin={0}
                      aria-valuemax={100}
                    >
                      <div className="h-full rounded-full bg-accent" style={{ width: `${Math.max(share, 0.5)}%` }} />
                    </div>
                    <span className="w-9 text-right text-[11px] text-subtle tabular-nums">{share < 1 ? '<1' : Math.round(share)}%</span>
                  </div>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="py-1.5 text-[12px] text-muted">{label}</dt>
      <dd className="min-w-0 py-1.5 text-[12px] break-words">{children}</dd>
    </>
  )
}

const none = <span className="text-subtle">—</span>

function Command({ value }: { value: string[] | null }) {
  if (!value || value.length === 0) return none
  return <code className="rounded bg-code px-1 py-px">{JSON.stringify(value)}</code>
}

function ConfigTab({ data }: { data: ManifestDetail }) {
  const c = data.image
  if (!c) return null
  const labels = Object.entries(c.labels)
  return (
    <dl className="grid grid-cols-[120px_minmax(0,1fr)] gap-x-4 px-4 py-2">
      <Row label="Platform">{c.os ? formatPlatform({ os: c.os, architecture: c.architecture ?? '?', variant: c.variant ?? undefined }) : none}</Row>
      <Row label="Created">{c.created ? `${formatDate(c.created)} (${formatRelative(c.created)})` : none}</Row>
      <Row label="Entrypoint">
        <Command value={c.entrypoint} />
      </Row>
      <Row label="Cmd">
        <Command value={c.cmd} />
      </Row>
      <Row label="Working dir">{c.workingDir ? <code>{c.workingDir}</code> : none}</Row>
      <Row label="User">{c.user ? <code>{c.user}</code> : none}</Row>
      <Row label="Exposed ports">
        {c.exposedPorts.length ? (
          <span className="flex flex-wrap gap-1">
            {c.exposedPorts.map((p) => (
              <Badge key={p} className="font-mono font-normal">
                {p}
              </Badge>
            ))}
          </span>
        ) : (
          none
        )}
      </Row>
      <Row label={`Env (${c.env.length})`}>
        {c.env.length ? (
          <ul className="space-y-0.5">
            {c.env.map((e) => (
              <li key={e}>
                <code className="break-all">{e}</code>
              </li>
            ))}
          </ul>
        ) : (
          none
        )}
      </Row>
      <Row label={`Labels (${labels.length})`}>
        {labels.length ? (
          <ul className="space-y-0.5">
            {labels.map(([k, v]) => (
              <li key={k} className="break-all">
                <code className="text-muted">{k}</code> = <code>{v}</code>
              </li>
            ))}
          </ul>
        ) : (
          none
        )}
      </Row>
    </dl>
  )
}

function HistoryTab({ data }: { data: ManifestDetail }) {
  const history = data.image?.history ?? []
  if (history.length === 0) return <EmptyState title="No history recorded" />
  return (
    <ol className="px-3 py-2">
      {history.map((h, i) => (
        <li key={i} className="grid grid-cols-[24px_minmax(0,1fr)_auto] gap-2 border-b border-line/70 py-1.5 text-[12px] last:border-0">
          <span className="text-subtle tabular-nums">{i + 1}</span>
          <code className={cn('break-all', h.emptyLayer && 'text-muted')} title={h.comment ?? undefined}>
            {(h.createdBy ?? '').replace(/^\/bin\/sh -c #\(nop\)\s+/, '') || '—'}
          </code>
          <span className="text-right whitespace-nowrap text-subtle">
            {h.emptyLayer ? 'no layer · ' : ''}
            {formatRelative(h.created)}
          </span>
        </li>
      ))}
    </ol>
  )
}

function PlatformsTab({ data }: { data: ManifestDetail }) {
  const openReference = useCatalog((s) => s.openReference)
  const detail = useCatalog((s) => s.detail)
  const platforms = data.children.filter((c) => !c.attestation)
  const attestations = data.children.filter((c) => c.attestation)
  return (
    <div className="px-3 py-2">
      <ul className="space-y-1" aria-label="Platforms">
        {platforms.map((c, i) => (
          <li key={`${c.digest}-${i}`}>
            <button
              type="button"
              onClick={() => openReference(c.digest, detail?.reference ?? null)}
              className="grid w-full grid-cols-[150px_minmax(0,1fr)_80px] items-center gap-3 rounded-md border border-line px-3 py-2 text-left hover:bg-hover"
            >
              <span className="font-mono text-[12px] font-medium">{c.platform ? formatPlatform(c.platform) : 'no platform given'}</span>
              <code className="truncate text-[12px] text-muted">{shortDigest(c.digest)}</code>
              <span className="text-right text-[12px] tabular-nums">{formatBytes(c.size)}</span>
            </button>
          </li>
        ))}
      </ul>
      {attestations.length > 0 ? (
        <>
          <h3 className="mt-4 mb-1 flex items-center gap-1.5 text-[11px] font-semibold tracking-wide text-muted uppercase">
            <ShieldCheck className="size-3.5" aria-hidden /> Build attestations
          </h3>
          <p className="mb-2 text-[12px] text-subtle">Provenance and SBOM records BuildKit attached to the platforms above; they are not images and do not run.</p>
          <ul className="space-y-1" aria-label="Build attestations">
            {attestations.map((c, i) => (
              <li key={`${c.digest}-${i}`} className="grid grid-cols-[150px_minmax(0,1fr)_80px] items-center gap-3 rounded-md border border-dashed border-line px-3 py-1.5 text-[12px]">
                <span className="text-muted">Build attestation</span>
                <code className="truncate text-muted">{shortDigest(c.digest)}</code>
                <span className="text-right text-subtle tabular-nums">{formatBytes(c.size)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  )
}
