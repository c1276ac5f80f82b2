import { useId, useMemo, useState, type FormEvent } from 'react'
import { ArrowUpFromLine, Play, TriangleAlert } from 'lucide-react'
import { repositoryProblem, splitImageParts, tagProblem } from '@shared/reference'
import { Button } from '../../components/Button'
import { Modal } from '../../components/Dialog'
import { Field } from '../../components/Field'
import { InlineError } from '../../components/Panel'
import { Advice } from '../../components/Advice'
import { Badge } from '../../components/Badge'
import { messageOf } from '../../lib/client'
import { defaultTag, shortDigest, suggestRepository } from '../../lib/format'
import { useCatalog } from '../../store/catalog'
import { useImages } from '../../store/images'
import { useRegistry } from '../../store/registry'
import { useTransfers, type PushDraft } from '../../store/transfers'

/** The confirmation before a push: the target repo:tag, editable and checked as you type. */
/** What a Repository field holds when a whole reference is pasted: `host:port/team/app:1` → team/app and tag 1. */
export function readPastedReference(text: string): { repository: string; tag: string | null } {
  const { path, tag } = splitImageParts(text)
  return { repository: path, tag: tag && tagProblem(tag) === null ? tag : null }
}

export function PushDialog() {
  const draft = useTransfers((s) => s.draft)
  const closePush = useTransfers((s) => s.closePush)
  return (
    <Modal
      open={draft !== null}
      onOpenChange={(open) => {
        if (!open) closePush()
      }}
      title={draft?.repository ? `Push to ${draft.repository}` : 'Push an image'}
      description="Docker tags the image for this registry and pushes it; progress shows under Transfers."
    >
      {draft ? <PushForm key={`${draft.image ?? ''}→${draft.repository ?? ''}`} draft={draft} onDone={closePush} /> : null}
    </Modal>
  )
}

function PushForm({ draft, onDone }: { draft: PushDraft; onDone(): void }) {
  const status = useRegistry((s) => s.status)
  const startRegistry = useRegistry((s) => s.start)
  const pending = useRegistry((s) => s.pending)
  const engine = useImages((s) => s.engine)
  const repositories = useCatalog((s) => s.repositories)
  const tagsView = useCatalog((s) => s.tags)
  const select = useCatalog((s) => s.select)
  const push = useTransfers((s) => s.push)
  const listId = useId()

  const images = useImages((s) => s.images)
  const choices = useMemo(() => (images ?? []).flatMap((i) => i.tags), [images])
  const [image, setImage] = useState(draft.image ?? '')
  const [repository, setRepository] = useState(draft.repository ?? suggestRepository(draft.image ?? ''))
  const [tag, setTag] = useState(draft.image ? defaultTag(draft.image) : '')
  const chooseImage = (ref: string) => {
    setImage(ref)
    if (!tag || (image && tag === defaultTag(image))) setTag(defaultTag(ref))
    if (!draft.repository) setRepository(suggestRepository(ref))
  }
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const repoError = repositoryProblem(repository)
  const tagError = tagProblem(tag)
  const exists = useMemo(() => repositories.some((r) => r.name === repository), [repositories, repository])
  const replaces = tagsView?.repository === repository ? tagsView.items?.find((t) => t.tag === tag) : undefined
  const running = status?.state === 'running'
  const engineDown = engine !== null && !engine.reachable
  const target = `${status?.pullHost ?? 'localhost'}/${repository || '…'}:${tag || '…'}`

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setTouched(true)
    if (!image || repoError || tagError || !running) return
    setBusy(true)
    setError(null)
    try {
      await push({ image, repository, tag })
      select(repository)
      onDone()
    } catch (err) {
      setError(messageOf(err))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {draft.image ? (
        <div className="rounded-md border border-line bg-canvas px-3 py-2">
          <div className="text-[11px] text-subtle">Local image</div>
          <code className="text-[12px] break-all">{draft.image}</code>
        </div>
      ) : (
        <div className="flex flex-col gap-1">
          <label htmlFor={`${listId}-image`} className="text-[12px] font-medium text-muted">
            Local image
          </label>
          <select
            id={`${listId}-image`}
            value={image}
            autoFocus
            onChange={(e) => chooseImage(e.target.value)}
            className="h-8 rounded-md border border-line-strong bg-field px-2 font-mono text-[12px]"
          >
            <option value="" disabled>
              {choices.length ? 'Choose an image…' : 'Docker lists no image'}
            </option>
            {choices.map((ref) => (
              <option key={ref} value={ref}>
                {ref}
              </option>
            ))}
          </select>
        </div>
      )}

      <div className="grid grid-cols-[1fr_160px] gap-3">
        {draft.repository ? (
          <div className="flex flex-col gap-1">
            <span className="text-[12px] font-medium text-muted">Repository</span>
            <code className="flex h-8 items-center truncate rounded-md border border-line bg-raised px-2 text-[12px]">{draft.repository}</code>
          </div>
        ) : (
          <>
            <Field
              label="Repository"
              value={repository}
              list={listId}
              autoFocus
              placeholder="team/app"
              onChange={(e) => setRepository(e.target.value.trim())}
              onPaste={(e) => {
                // A full reference pasted in (localhost:5420/foo:1) is understood: its repository here, its tag in Tag.
                const pasted = e.clipboardData.getData('text')
                if (!/[:@]/.test(pasted)) return
                e.preventDefault()
                const parsed = readPastedReference(pasted)
                setRepository(parsed.repository)
                if (parsed.tag) setTag(parsed.tag)
              }}
              error={touched || repository !== '' ? repoError : null}
              hint={repository && !repoError ? (exists ? 'An existing repository' : 'A new repository') : undefined}
              mono
            />
            <datalist id={listId}>
              {repositories.slice(0, 500).map((r) => (
                <option key={r.name} value={r.name} />
              ))}
            </datalist>
          </>
        )}
        <Field
          label="Tag"
          value={tag}
          autoFocus={draft.repository !== null && draft.image !== null}
          onChange={(e) => setTag(e.target.value.trim())}
          error={touched || tag !== '' ? tagError : null}
          mono
        />
      </div>

      <div>
        <div className="mb-1 text-[12px] font-medium text-muted">Pushes to</div>
        <div className="flex items-center gap-2">
          <code data-testid="push-target" className="min-w-0 flex-1 rounded-md bg-code px-2 py-1.5 text-[12px] break-all">
            {target}
          </code>
          {repository && !repoError && !exists ? <Badge tone="accent">new repository</Badge> : null}
        </div>
        {replaces ? (
          <p className="mt-1.5 flex items-center gap-1.5 text-[12px] text-warning">
            <TriangleAlert className="size-3.5 shrink-0" aria-hidden />
            Replaces tag {tag}, now {shortDigest(replaces.digest)}.
          </p>
        ) : null}
      </div>

      {!running && status ? (
        <div role="alert" className="flex items-center gap-3 rounded-md border border-warning/30 bg-warning-soft px-3 py-2">
          <p className="flex-1">The registry is stopped, so there is nowhere to push.</p>
          <Button size="sm" variant="primary" disabled={pending !== null} onClick={() => void startRegistry()} icon={<Play className="size-3.5 fill-current" aria-hidden />}>
            Start registry
          </Button>
        </div>
      ) : null}
      {engineDown ? <InlineError title="Docker engine unreachable" message={<Advice text={engine?.problem ?? ''} />} /> : null}
      {error ? <InlineError title="The push did not start" message={<Advice text={error} />} /> : null}

      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy || !running || engineDown || !image || !!repoError || !!tagError} icon={<ArrowUpFromLine className="size-3.5" aria-hidden />}>
          {busy ? 'Starting…' : 'Push'}
        </Button>
      </div>
    </form>
  )
}
