import type Dockerode from 'dockerode'
import type { LocalImage } from '@shared/model/docker'
import { BerthError } from '@shared/errors'

const NONE = '<none>:<none>'

export function toLocalImage(info: Dockerode.ImageInfo): LocalImage {
  const tags = (info.RepoTags ?? []).filter((t) => t !== NONE)
  const digests = (info.RepoDigests ?? []).filter((d) => d !== '<none>@<none>')
  return {
    id: info.Id,
    tags,
    digests,
    size: info.Size,
    created: new Date(info.Created * 1000).toISOString(),
    dangling: tags.length === 0
  }
}

export async function listImages(docker: Dockerode, includeDangling = false): Promise<LocalImage[]> {
  const infos = await docker.listImages({ all: false })
  return infos
    .map(toLocalImage)
    .filter((i) => includeDangling || !i.dangling)
    .sort((a, b) => (a.created < b.created ? 1 : -1))
}

/** Maps an engine error for an image to advice (404 → which image is missing). */
export function imageError(err: unknown, image: string): never {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string }
  const message = e.json?.message ?? e.message ?? String(err)
  if (e.statusCode === 404) throw new BerthError('NOT_FOUND', `Docker has no image ${image}. Check the name with docker images.`, { image })
  if (e.statusCode === 409) throw new BerthError('CONFLICT', `Docker will not remove ${image}: ${message}. Stop and remove the containers using it, or force it.`, { image })
  throw new BerthError('DOCKER_FAILED', `Docker refused: ${message}`, { image })
}

export async function tagImage(docker: Dockerode, image: string, repo: string, tag: string): Promise<void> {
  try {
    await docker.getImage(image).tag({ repo, tag })
  } catch (err) {
    imageError(err, image)
  }
}

export async function removeImage(docker: Dockerode, image: string, force = false): Promise<string[]> {
  try {
    const result = (await docker.getImage(image).remove({ force })) as { Untagged?: string; Deleted?: string }[]
    return result.map((r) => r.Untagged ?? r.Deleted ?? '').filter(Boolean)
  } catch (err) {
    imageError(err, image)
  }
}
