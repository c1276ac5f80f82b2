import type { ManifestDetail } from '@shared/model/catalog'

/** The manifest as stored, pretty-printed. */
export function ManifestTab({ data }: { data: ManifestDetail }) {
  return <pre className="m-3 overflow-x-auto rounded-md bg-code p-3 text-[12px] leading-relaxed">{pretty(data.raw)}</pre>
}

function pretty(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2)
  } catch {
    return raw
  }
}
