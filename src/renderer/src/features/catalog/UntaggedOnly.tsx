import { Layers } from 'lucide-react'
import { plural } from '../../lib/format'
import { UntaggedTable } from './UntaggedTable'

/**
 * A repository whose tags were all deleted while its manifests stayed: not empty, its images are
 * still pulled by digest. Says so, and lists them to open, pull or delete.
 */
export function UntaggedOnly({ repository, count }: { repository: string; count: number }) {
  return (
    <section aria-label={`Untagged manifests only in ${repository}`} className="flex min-h-0 flex-1 flex-col">
      <div className="flex shrink-0 items-start gap-2 border-b border-line px-3 py-2">
        <Layers className="mt-0.5 size-4 shrink-0 text-muted" aria-hidden />
        <div className="min-w-0 text-[12px]">
          <p className="font-medium text-fg">
            No tags: {repository} holds {plural(count, 'untagged manifest')}
          </p>
          <p className="text-muted">Its tags are gone, its images are not: each is pullable by digest (copy the command on its row). Open one to inspect it, or delete what is no longer needed.</p>
        </div>
      </div>
      <UntaggedTable />
    </section>
  )
}
