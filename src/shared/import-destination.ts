import type { z } from 'zod'
import type { ImportFormat, ImportPreviewImage } from './model/storage'

// The words for an import preview, shared by the window and `berth import --dry-run`. Pure.

type Image = z.infer<typeof ImportPreviewImage>

/** `team/app:1.0`, `team/app@sha256:…` (untagged), or `(no repository):1.0`. */
export function destinationName(image: Pick<Image, 'repository' | 'tag' | 'digest'>): string {
  const repository = image.repository ?? '(no repository)'
  if (image.tag) return `${repository}:${image.tag}`
  return image.digest ? `${repository}@${image.digest}` : repository
}

const short = (digest: string) => digest.replace(/^(sha\d+:[a-f0-9]{12})[a-f0-9]+$/, '$1')

/** What the import would do there: "new repository", "moves the tag from sha256:…", … */
export function destinationText(image: Pick<Image, 'destination' | 'current'>): string {
  switch (image.destination) {
    case 'new-repository':
      return 'new repository'
    case 'new-tag':
      return 'new tag'
    case 'unchanged':
      return 'already there (unchanged)'
    case 'retag':
      return `re-tagged: the tag now names ${image.current ? short(image.current) : 'another image'}`
    case 'untagged':
      return 'stored untagged, pullable by digest'
    case 'unnamed':
      return 'needs a repository'
  }
}

export function formatText(format: z.infer<typeof ImportFormat>): string {
  return format === 'docker-archive' ? 'a docker save archive' : format === 'oci-archive' ? 'an OCI archive' : 'an OCI image layout'
}
