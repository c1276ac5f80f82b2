// What is stored about images (signatures, SBOMs, provenance) and what no tag reaches: read from
// storage, decoded for people. Builds on storage only; the service composes it.
export { CatalogInsight, cosignTags } from './insight'
export { untaggedManifests } from './untagged'
