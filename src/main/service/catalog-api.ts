import type { Api } from '@shared/contract'
import { BerthError } from '@shared/errors'
import { formatReference } from '@shared/reference'
import { untaggedManifests } from '../catalog-insight'
import type { CatalogService } from './catalog'
import type { RegistryHost } from './registry-host'

type CatalogMethods = { [M in keyof Api as M extends `catalog.${string}` ? M : never]: Api[M] }

/** The catalog methods of the contract: what the window browses, deletes and retags (storage announces the changes). */
export function createCatalogApi(registry: RegistryHost, catalog: () => Promise<CatalogService>): CatalogMethods {
  return {
    'catalog.repositories': async (input) => (await catalog()).repositories(input?.filter, input?.offset, input?.limit),
    'catalog.tags': async ({ repository }) => (await catalog()).tags(repository),
    'catalog.manifest': async ({ repository, reference }) => (await catalog()).manifest(repository, reference),
    'catalog.deleteTag': async ({ repository, tag }) => {
      await (await catalog()).deleteTag(repository, tag)
      return { ok: true as const }
    },
    'catalog.deleteManifest': async ({ repository, digest, referrers }) => {
      const gone = await (await catalog()).deleteManifest(repository, digest, referrers)
      return { ok: true as const, tags: gone.tags, ...(referrers ? { referrers: gone.referrers } : {}) }
    },
    'catalog.deleteTags': async ({ repository, tags }) => (await catalog()).deleteTags(repository, tags),
    'catalog.untagged': async ({ repository }) => {
      const service = await catalog()
      if (!(await service.storage.repos.exists(repository))) throw new BerthError('NOT_FOUND', `There is no repository ${repository} in this registry.`, { repository })
      return untaggedManifests(service.storage, repository)
    },
    'catalog.referrers': async ({ repository, reference }) => (await catalog()).insight.referrers(repository, reference),
    'catalog.sbom': async ({ repository, ...input }) => (await catalog()).insight.sbom(repository, input),
    'catalog.retag': async ({ repository, reference, targetRepository, targetTag }) => {
      const digest = await (await catalog()).retag(repository, reference, targetRepository, targetTag)
      return { digest: digest.value, reference: formatReference(registry.status().pullHost, targetRepository, targetTag) }
    },
    'catalog.pullCommand': async ({ repository, reference }) => {
      const ref = formatReference(registry.status().pullHost, repository, reference)
      return { command: `docker pull ${ref}`, reference: ref }
    }
  }
}
