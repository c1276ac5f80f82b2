import { CircleAlert, CircleCheck } from 'lucide-react'
import type { RemoteTest } from '@shared/model/remote'
import { Advice } from '../../components/Advice'

const PROBLEM_TITLES: Record<string, string> = {
  REMOTE_UNREACHABLE: 'Not reachable',
  REMOTE_TLS: 'TLS: the certificate is not accepted',
  REMOTE_UNAUTHORIZED: 'It wants credentials (401)',
  REMOTE_FORBIDDEN: 'These credentials may not (403)',
  NOT_FOUND: 'Not a registry there (404)',
  REMOTE_FAILED: 'It answered with an error'
}

/** What a remote.test found: how it is reached (HTTPS or HTTP, auth, catalog), or why not and what to do. */
export function TestResult({ result }: { result: RemoteTest }) {
  if (!result.reachable || result.problem) {
    const title = PROBLEM_TITLES[result.problem?.code ?? ''] ?? 'It does not answer as a registry'
    return (
      <div role="alert" className="flex gap-2 rounded-md border border-danger/30 bg-danger-soft px-3 py-2">
        <CircleAlert className="mt-0.5 size-4 shrink-0 text-danger" aria-hidden />
        <div className="min-w-0 text-[12px]">
          <p className="font-medium text-danger">{title}</p>
          <p className="break-words">
            <Advice text={result.problem?.message ?? `${result.address} did not answer.`} />
          </p>
        </div>
      </div>
    )
  }
  const facts = [
    result.scheme === 'https' ? 'HTTPS' : 'plain HTTP',
    result.auth === 'none' ? 'no login needed' : result.auth === 'basic' ? 'basic auth' : 'token auth',
    result.catalog ? 'lists its repositories' : 'no catalog: open repositories by name'
  ]
  return (
    <div role="status" className="flex gap-2 rounded-md border border-success/30 bg-success-soft px-3 py-2">
      <CircleCheck className="mt-0.5 size-4 shrink-0 text-success" aria-hidden />
      <p className="text-[12px]">
        <span className="font-medium text-success">{result.address} answers</span> · {facts.join(' · ')}
      </p>
    </div>
  )
}
