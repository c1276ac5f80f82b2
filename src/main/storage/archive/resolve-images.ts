import { BerthError } from '@shared/errors'
import type { Digest } from '@shared/reference'
import type { Storage } from '../index'
import { formatImageName, imageNameOrThrow } from './references'

export interface SelectedImage {
  repository: string
  /** null when asked for by digest. */
  tag: string | null
  digest: Digest
}

/**
 * Turns export references (`repo:tag`, `repo@digest`, `repo` for all its tags) into stored images,
 * in the order given, without duplicates. Throws NOT_FOUND naming the first reference that is not stored.
 */
export async function selectImages(storage: Storage, references: string[]): Promise<SelectedImage[]> {
  const out: SelectedImage[] = []
  const seen = new Set<string>()
  const add = (image: SelectedImage) => {
    const key = `${image.repository}\u0000${image.tag ?? ''}\u0000${image.digest.value}`
    if (seen.has(key)) return
    seen.add(key)
    out.push(image)
  }
  for (const text of references) {
    const name = imageNameOrThrow(text)
    if (name.digest) {
      if (!(await storage.manifests.resolve(name.repository, name.digest)))
        throw new BerthError('NOT_FOUND', `${formatImageName(name.repository, null, name.digest.value)} is not stored in this registry; check the digest.`)
      add({ repository: name.repository, tag: name.tag, digest: name.digest })
      continue
    }
    const tags = name.tag ? [name.tag] : await storage.repos.tags(name.repository)
    if (tags === null || tags.length === 0)
      throw new BerthError('NOT_FOUND', `The repository ${name.repository} does not exist or has no tags; check the name.`)
    for (const tag of tags) {
      const digest = await storage.manifests.resolve(name.repository, tag)
      if (!digest) throw new BerthError('NOT_FOUND', `${name.repository}:${tag} is not stored in this registry; check the tag.`)
      add({ repository: name.repository, tag, digest })
    }
  }
  return out
}
