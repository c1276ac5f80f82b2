import { CopyButton } from './CopyButton'
import { cn } from '../lib/cn'

/**
 * Commands to run or text to paste, each with its copy button. A command may span lines (a here
 * document, a comment line above it): it is shown and copied whole.
 */
export function CommandList({ commands, label, className }: { commands: readonly string[]; label: string; className?: string }) {
  return (
    <ol aria-label={label} className={cn('space-y-1.5', className)}>
      {commands.map((c, i) => (
        <li key={`${i}-${c}`} className="flex items-start gap-2 rounded-md border border-line bg-canvas py-1 pr-1 pl-3">
          <span className="pt-1 text-subtle select-none" aria-hidden>
            $
          </span>
          <code className="min-w-0 flex-1 pt-1 text-[12px] break-all whitespace-pre-wrap">{c}</code>
          <CopyButton text={c} label={`Copy: ${firstLine(c)}`} />
        </li>
      ))}
    </ol>
  )
}

/** A file's whole content (a merged daemon.json), with where it goes and one copy button. */
export function FileBlock({ path, content }: { path: string; content: string }) {
  return (
    <figure className="overflow-hidden rounded-md border border-line">
      <figcaption className="flex items-center gap-2 border-b border-line bg-raised py-0.5 pr-1 pl-3 text-[12px]">
        <code className="min-w-0 flex-1 truncate text-muted" title={path}>
          {path}
        </code>
        <CopyButton text={content} label={`Copy the content of ${path}`} size="xs" />
      </figcaption>
      <pre className="max-h-64 overflow-auto bg-canvas p-3 text-[12px] leading-relaxed">{content}</pre>
    </figure>
  )
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() && !l.trim().startsWith('#')) ?? text
  return line.length > 80 ? `${line.slice(0, 77)}…` : line
}
