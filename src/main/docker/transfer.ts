import type Dockerode from 'dockerode'
import type { Readable } from 'node:stream'
import { applyLine, emptyProgress, type ProgressLine, type ProgressState } from './progress'

/** An empty auth config: the engine wants the header; a local registry wants no credentials. */
const NO_AUTH = {}

/**
 * Follows a push or pull stream to its end, feeding every line into `state` and calling `onUpdate`.
 * Resolves with the final state; the stream's own error lines end up in `state.error`.
 */
export function follow(docker: Dockerode, stream: Readable, state: ProgressState, onUpdate: (s: ProgressState) => void): Promise<ProgressState> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(err)
        else resolve(state)
      },
      (line: ProgressLine) => {
        applyLine(state, line)
        onUpdate(state)
      }
    )
  })
}

/** Credentials for a shared registry (X-Registry-Auth); absent: none. */
export interface RegistryAuth {
  username: string
  password: string
  serveraddress: string
}

/** `docker push <reference>` through the Engine API. */
export async function push(docker: Dockerode, reference: string, signal: AbortSignal, onUpdate: (s: ProgressState) => void, auth?: RegistryAuth): Promise<ProgressState> {
  const { repo, tag } = splitReference(reference)
  const image = docker.getImage(repo)
  const stream = (await image.push({ tag, abortSignal: signal, authconfig: auth ?? NO_AUTH } as never)) as unknown as Readable
  signal.addEventListener('abort', () => stream.destroy(new Error('cancelled')), { once: true })
  return follow(docker, stream, emptyProgress(), onUpdate)
}

/** `docker pull <reference>` through the Engine API. */
export async function pull(docker: Dockerode, reference: string, signal: AbortSignal, onUpdate: (s: ProgressState) => void, auth?: RegistryAuth): Promise<ProgressState> {
  const stream = (await docker.pull(reference, { abortSignal: signal, authconfig: auth ?? NO_AUTH })) as unknown as Readable
  signal.addEventListener('abort', () => stream.destroy(new Error('cancelled')), { once: true })
  return follow(docker, stream, emptyProgress(), onUpdate)
}

/** `host:5000/team/app:1.2` → repo `host:5000/team/app`, tag `1.2` (a digest reference keeps `@sha256:…` as tag). */
export function splitReference(reference: string): { repo: string; tag: string } {
  const at = reference.indexOf('@')
  if (at !== -1) return { repo: reference.slice(0, at), tag: reference.slice(at + 1) }
  const slash = reference.lastIndexOf('/')
  const colon = reference.lastIndexOf(':')
  if (colon > slash) return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) }
  return { repo: reference, tag: 'latest' }
}
