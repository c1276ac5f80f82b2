import type { Digest } from '@shared/reference'

/**
 * A source the registry may fetch from when it lacks something a client pulls (Berth's
 * pull-through cache). The service hands one to the registry; the registry never knows where it
 * fetches from (it never imports the remote client). Both methods store what they fetch in the
 * registry's own storage, as any push would be, and never throw for an upstream that is down: the
 * registry then answers from what it holds.
 */
export interface PullThrough {
  /**
   * Before a manifest GET/HEAD: fetches `reference` (tag or digest) of `name` into storage when it
   * is missing, or when a cached tag is due to be checked against the upstream. True when storage changed.
   */
  manifest(name: string, reference: string, accept: string | undefined): Promise<boolean>
  /** Before a blob GET/HEAD that storage cannot answer: fetches it; true when storage now holds it for `name`. */
  blob(name: string, digest: Digest): Promise<boolean>
}
