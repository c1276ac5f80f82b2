import type { ProvenanceSummary } from '@shared/model/insight'
import { arr, at, obj, str, toIso, type Json } from './decode'

const MATERIALS_MAX = 32
const BUILDKIT_METADATA = 'https://mobyproject.org/buildkit@v1#metadata'

/** The BuildKit VCS facts (`--build-arg BUILDKIT_CONTEXT_KEEP_GIT_DIR`, git contexts), wherever the version put them. */
function buildkitVcs(predicate: Json): Json {
  return obj(at(predicate, 'metadata', BUILDKIT_METADATA, 'vcs')) ?? {}
}

/**
 * SLSA provenance from an in-toto statement, v0.2 (BuildKit's default) or v1 (BuildKit `version=v1`,
 * GitHub's generators): who built it, from what source and revision, and when.
 */
export function provenanceOf(statement: Json): ProvenanceSummary {
  const predicateType = str(statement.predicateType) ?? 'unknown'
  const p = obj(statement.predicate)
  if (p.buildDefinition || p.runDetails) {
    const external = obj(at(p, 'buildDefinition', 'externalParameters'))
    const deps = arr(at(p, 'buildDefinition', 'resolvedDependencies')).map(obj)
    const vcs = { ...obj(at(p, 'runDetails', 'metadata', BUILDKIT_METADATA, 'vcs')), ...obj(at(p, 'buildDefinition', 'internalParameters', 'vcs')) }
    const workflow = obj(external.workflow)
    const gitDep = deps.find((d) => typeof d.uri === 'string' && /^git\+|\.git(@|$)/.test(d.uri as string))
    return {
      predicateType,
      builder: str(at(p, 'runDetails', 'builder', 'id')),
      buildType: str(at(p, 'buildDefinition', 'buildType')),
      source: str(vcs.source) ?? str(workflow.repository) ?? str(at(external, 'configSource', 'uri')) ?? str(external.source) ?? str(gitDep?.uri) ?? null,
      revision: str(vcs.revision) ?? str(at(gitDep, 'digest', 'gitCommit')) ?? str(at(gitDep, 'digest', 'sha1')) ?? str(workflow.ref) ?? null,
      startedOn: toIso(at(p, 'runDetails', 'metadata', 'startedOn')),
      finishedOn: toIso(at(p, 'runDetails', 'metadata', 'finishedOn')),
      materials: deps.map((d) => str(d.uri)).filter((u): u is string => u !== null).slice(0, MATERIALS_MAX)
    }
  }
  const vcs = buildkitVcs(p)
  const config = obj(at(p, 'invocation', 'configSource'))
  return {
    predicateType,
    builder: str(at(p, 'builder', 'id')),
    buildType: str(p.buildType),
    source: str(vcs.source) ?? str(config.uri) ?? null,
    revision: str(vcs.revision) ?? str(at(config, 'digest', 'sha1')) ?? null,
    startedOn: toIso(at(p, 'metadata', 'buildStartedOn')),
    finishedOn: toIso(at(p, 'metadata', 'buildFinishedOn')),
    materials: arr(p.materials)
      .map((m) => str(obj(m).uri))
      .filter((u): u is string => u !== null)
      .slice(0, MATERIALS_MAX)
  }
}
