import { useState } from 'react'
import { DropdownMenu } from 'radix-ui'
import { ArrowDownToLine, ArrowRightLeft, ChevronDown, Play, ShieldCheck, Tag as TagIcon, Terminal, Trash2 } from 'lucide-react'
import type { ManifestDetail } from '@shared/model/catalog'
import { Button } from '../../../components/Button'
import { CopyButton } from '../../../components/CopyButton'
import { Badge } from '../../../components/Badge'
import { Spinner } from '../../../components/Spinner'
import { copyText } from '../../../lib/clipboard'
import { messageOf } from '../../../lib/client'
import { formatBytes, formatDate, formatPlatform, formatRelative, listSome, shortDigest } from '../../../lib/format'
import { useCatalog } from '../../../store/catalog'
import { useImages } from '../../../store/images'
import { notify } from '../../../store/notices'
import { useRegistry } from '../../../store/registry'
import { useTransfers } from '../../../store/transfers'
import { DeleteManifestDialog, DeleteTagDialog } from '../DeleteDialogs'
import { RetagDialog } from '../RetagDialog'
import { RunDialog } from '../RunDialog'
import { CopyDialog, type CopyRequest } from '../../remotes/CopyDialog'
import { DetailTabs } from './DetailTabs'
import { PullCommands } from './PullCommands'

type DialogName = 'retag' | 'run' | 'delete-tag' | 'delete-manifest' | null

interface TagHeaderProps {
  data: ManifestDetail
  reference: string
  isTag: boolean
  /** A platform manifest opened from its index: deleting it alone would break the index. */
  inIndex: boolean
  pushedAt: string | null
  size: number | null
  refreshing: boolean
}

/** A loaded tag or digest: what it is, what to do with it, then its tabs. */
export function TagHeader({ data, reference, isTag, inIndex, pushedAt, size, refreshing }: TagHeaderProps) {
  const [dialog, setDialog] = useState<DialogName>(null)
  const [copy, setCopy] = useState<CopyRequest | null>(null)
  const pullCommand = useCatalog((s) => s.pullCommand)
  const source = useCatalog((s) => s.source)
  const tagItems = useCatalog((s) => s.tags?.items)
  const remote = source.kind === 'remote'
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

  // "Copy to…" (this Berth → a registry) or "Copy to Berth…" (a remote → this Berth): this tag ticked, the others offered.
  const openCopy = () =>
    setCopy({
      direction: remote ? 'pull' : 'push',
      repository: data.repository,
      tags: (tagItems ?? []).map((t) => t.tag),
      initial: [reference],
      registry: remote ? { id: source.registry ?? '', address: source.address ?? '' } : undefined,
      hasIndex: data.kind === 'index'
    })

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
        <PullCommands repository={data.repository} reference={reference} digest={data.digest} />
        <div className="mt-3 flex flex-wrap items-center gap-1.5" role="toolbar" aria-label="Tag actions">
          <Button size="sm" onClick={() => void copyPull()} icon={<Terminal className="size-3.5" aria-hidden />}>
            Copy pull command
          </Button>
          {isTag && !inIndex ? (
            <Button size="sm" onClick={openCopy} icon={<ArrowRightLeft className="size-3.5" aria-hidden />} title={remote ? `Copy it from ${source.address} into this Berth, without Docker` : 'Copy it to another registry, without Docker'}>
              {remote ? 'Copy to Berth…' : 'Copy to…'}
            </Button>
          ) : null}
          {/* What only this Berth's own tags offer: pull into the engine, retag, run, delete. */}
          {remote ? null : (
            <>
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
            </>
          )}
        </div>
      </div>
      <DetailTabs data={data} />
      {copy ? <CopyDialog request={copy} onClose={() => setCopy(null)} /> : null}
      {remote ? null : (
        <>
          <RetagDialog open={dialog === 'retag'} onOpenChange={(o) => setDialog(o ? 'retag' : null)} repository={data.repository} reference={reference} />
          <RunDialog open={dialog === 'run'} onOpenChange={(o) => setDialog(o ? 'run' : null)} data={data} reference={reference} />
          {isTag ? <DeleteTagDialog open={dialog === 'delete-tag'} onOpenChange={(o) => setDialog(o ? 'delete-tag' : null)} data={data} tag={reference} /> : null}
          <DeleteManifestDialog open={dialog === 'delete-manifest'} onOpenChange={(o) => setDialog(o ? 'delete-manifest' : null)} data={data} />
        </>
      )}
    </>
  )
}

function KindBadge({ data, platforms }: { data: ManifestDetail; platforms: number }) {
  if (data.kind === 'index') return <Badge tone="accent">Multi-platform · {platforms}</Badge>
  if (data.kind === 'artifact') return <Badge title={data.artifactType ?? undefined}>Artifact</Badge>
  const p = data.image
  return <Badge tone="accent">{p?.os ? formatPlatform({ os: p.os, architecture: p.architecture ?? '?', variant: p.variant ?? undefined }) : 'Image'}</Badge>
}
