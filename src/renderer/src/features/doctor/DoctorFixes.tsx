import type { DoctorFix } from '@shared/model/sharing'
import { CommandList, FileBlock } from '../../components/CommandList'
import { Advice } from '../../components/Advice'

/** The doctor's fixes: what to do, why, the exact commands and the merged file — each with copy buttons. */
export function DoctorFixes({ fixes }: { fixes: readonly DoctorFix[] }) {
  return (
    <ol aria-label="Fixes" className="flex flex-col gap-3">
      {fixes.map((fix) => (
        <li key={fix.id} aria-label={fix.title} className="flex flex-col gap-1.5">
          <h3 className="font-medium">
            {fix.title}
          </h3>
          {fix.note ? (
            <p className="text-[12px] text-muted">
              <Advice text={fix.note} />
            </p>
          ) : null}
          {fix.file ? <FileBlock path={fix.file.path} content={fix.file.content} /> : null}
          {fix.commands.length ? <CommandList commands={fix.commands} label={fix.title} /> : null}
        </li>
      ))}
    </ol>
  )
}
