import { Advice } from './Advice'

/** Sentences a person must read before going on (passwords in clear, no accounts yet), as warnings. */
export function WarningList({ warnings, label }: { warnings: readonly string[]; label: string }) {
  if (warnings.length === 0) return null
  return (
    <ul aria-label={label} className="space-y-1.5">
      {warnings.map((w) => (
        <li key={w} className="rounded-md border border-warning/30 bg-warning-soft px-3 py-2 text-[12px]">
          <Advice text={w} />
        </li>
      ))}
    </ul>
  )
}
