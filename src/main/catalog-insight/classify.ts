import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import type { Referrer, SbomSummary } from '@shared/model/insight'
import { digestOrNull } from '@shared/reference'
import type { Storage } from '../storage'
import type { ManifestInfo } from '../storage/manage'
import { fromBase64, obj, parseJsonOrNull, str, type Json } from './decode'
import {
  COSE, COSIGN_SIMPLE_SIGNING, DSSE, IN_TOTO, isProvenancePredicate, JWS, NOTATION_SIGNATURE, PREDICATE_TYPE_ANNOTATION, SIGSTORE_BUNDLE,
  sbomFormatOfMediaType, sbomFormatOfPredicate
} from './media'
import { provenanceOf } from './provenance'
import { readSbom, type ParsedSbom } from './sbom'
import { cosignSignature, notationCose, notationJws, sigstoreBundle } from './signature'

/** Small blobs (signature payloads, envelopes, provenance) are read whole, up to this. */
const SMALL_MAX = 16 * 1024 * 1024
/** A DSSE envelope carries its statement base64-encoded in JSON: read whole, up to this. */
const ENVELOPE_MAX = 96 * 1024 * 1024
const SBOM_CACHE = 6

type Layer = ManifestInfo['layers'][number]
type Base = Omit<Referrer, 'kind' | 'signature' | 'sbom' | 'provenance' | 'description'>
export type Placement = Pick<Base, 'source' | 'subject' | 'platform' | 'tag'>

/** Reads blobs and SBOMs for the classifier, with SBOMs parsed once (they are big and immutable). */
export class BlobReader {
  private readonly sboms = new Map<string, Promise<ParsedSbom>>()
  constructor(private readonly storage: Storage) {}

  async bytes(layer: Pick<Layer, 'digest' | 'size'>, max = SMALL_MAX): Promise<Buffer | null> {
    const d = digestOrNull(layer.digest)
    if (!d || layer.size > max) return null
    return this.storage.blobs.readBytes(d)
  }

  /** The SBOM in a layer: streamed from the blob, or decoded from a DSSE envelope first. */
  sbom(layer: Pick<Layer, 'digest' | 'size' | 'mediaType'>, hint: 'spdx' | 'cyclonedx' | null): Promise<ParsedSbom> {
    const cached = this.sboms.get(layer.digest)
    if (cached) return cached
    const work = (async () => {
      const d = digestOrNull(layer.digest)
      if (!d || (await this.storage.blobs.size(d)) === null) throw new Error('its blob is missing from the data folder')
      if (layer.mediaType === DSSE) {
        const statement = await this.dsseStatement(layer)
        if (!statement) throw new Error('its envelope could not be decoded')
        return readSbom(Readable.from([Buffer.from(JSON.stringify(statement))]), hint)
      }
      return readSbom(createReadStream(this.storage.blobs.dataPath(d)), hint)
    })()
    this.sboms.set(layer.digest, work)
    // A failure is not cached: the blob may arrive later (a push under way).
    work.catch(() => this.sboms.delete(layer.digest))
    if (this.sboms.size > SBOM_CACHE) this.sboms.delete(this.sboms.keys().next().value!)
    return work
  }

  async dsseStatement(layer: Pick<Layer, 'digest' | 'size'>): Promise<Json | null> {
    const envelope = parseJsonOrNull((await this.bytes(layer, ENVELOPE_MAX)) ?? '')
    const payload = fromBase64(envelope?.payload)
    return payload ? parseJsonOrNull(payload) : null
  }
}

function base(info: ManifestInfo, at: Placement): Base {
  return {
    digest: info.digest,
    mediaType: info.mediaType,
    artifactType: info.artifactType,
    size: info.size,
    ...at,
    created: info.annotations['org.opencontainers.image.created'] ?? null,
    problem: null
  }
}

async function sbomItem(reader: BlobReader, b: Base, layer: Layer, hint: 'spdx' | 'cyclonedx' | null): Promise<Referrer> {
  const fallback: SbomSummary = { format: hint ?? 'spdx', specVersion: null, name: null, tool: null, created: null, packages: null, blob: layer.digest, bytes: layer.size }
  try {
    const doc = await reader.sbom(layer, hint)
    return {
      ...b,
      kind: 'sbom',
      sbom: { format: doc.format, specVersion: doc.specVersion, name: doc.name, tool: doc.tool, created: doc.created, packages: doc.packages.length, blob: layer.digest, bytes: layer.size },
      problem: doc.truncated ? `Only the first ${doc.packages.length.toLocaleString('en')} packages were read.` : null
    }
  } catch (err) {
    return { ...b, kind: 'sbom', sbom: fallback, problem: `The SBOM could not be read: ${(err as Error).message}.` }
  }
}

/** An in-toto statement (from a BuildKit layer or a DSSE envelope) as what its predicate is. */
async function statementItem(reader: BlobReader, b: Base, layer: Layer, statement: Json | null, predicateType: string | null): Promise<Referrer> {
  const type = predicateType ?? str(statement?.predicateType)
  const format = sbomFormatOfPredicate(type)
  if (format) return sbomItem(reader, b, layer, format)
  if (isProvenancePredicate(type)) {
    if (!statement) return { ...b, kind: 'other', description: `SLSA provenance (${type})`, problem: 'The statement could not be read.' }
    return { ...b, kind: 'provenance', provenance: provenanceOf(statement) }
  }
  return { ...b, kind: 'other', description: type ? `in-toto attestation: ${type}` : 'in-toto attestation' }
}

/**
 * What a manifest stored about another one is: one item per thing it carries (a BuildKit attestation
 * manifest often holds a provenance and an SBOM). Blobs that are missing or too big are reported as
 * a problem on the item, never as an error of the whole list.
 */
export async function classify(reader: BlobReader, info: ManifestInfo, at: Placement): Promise<Referrer[]> {
  const b = base(info, at)
  const layers = info.layers
  const types = [info.artifactType, info.config?.mediaType]

  if (layers.some((l) => l.mediaType === COSIGN_SIMPLE_SIGNING)) {
    const signing = layers.filter((l) => l.mediaType === COSIGN_SIMPLE_SIGNING)
    const payloads = await Promise.all(signing.map((l) => reader.bytes(l, 1024 * 1024)))
    return [{ ...b, kind: 'signature', signature: await cosignSignature(signing, payloads, at.subject) }]
  }
  if (types.includes(NOTATION_SIGNATURE)) {
    const jws = layers.find((l) => l.mediaType === JWS)
    const signature = jws ? await notationJws(await reader.bytes(jws, 1024 * 1024), at.subject) : notationCose(at.subject)
    return [{ ...b, kind: 'signature', signature, created: b.created ?? signature.signedAt, problem: jws || layers.some((l) => l.mediaType === COSE) ? null : 'No signature envelope in it.' }]
  }
  const bundleLayer = layers.find((l) => SIGSTORE_BUNDLE.test(l.mediaType)) ?? (types.some((t) => t && SIGSTORE_BUNDLE.test(t)) ? layers[0] : undefined)
  if (bundleLayer) {
    const bytes = await reader.bytes(bundleLayer, ENVELOPE_MAX)
    const bundle = parseJsonOrNull(bytes ?? '')
    const dsse = obj(bundle?.dsseEnvelope)
    if (dsse.payload) {
      const statement = parseJsonOrNull(fromBase64(dsse.payload) ?? '')
      return [await statementItem(reader, b, bundleLayer, statement, null)]
    }
    return [{ ...b, kind: 'signature', signature: await sigstoreBundle(bytes, at.subject) }]
  }
  const sbomFormat = types.map(sbomFormatOfMediaType).find((f) => f) ?? null
  const items: Referrer[] = []
  for (const layer of layers) {
    const layerFormat = sbomFormatOfMediaType(layer.mediaType) ?? (sbomFormat && layers.length === 1 ? sbomFormat : null)
    if (layerFormat) items.push(await sbomItem(reader, b, layer, layerFormat))
    else if (layer.mediaType === IN_TOTO) {
      const predicateType = layer.annotations?.[PREDICATE_TYPE_ANNOTATION] ?? null
      // SBOM statements are streamed; other statements are small and read whole.
      const statement = sbomFormatOfPredicate(predicateType) ? null : parseJsonOrNull((await reader.bytes(layer)) ?? '')
      items.push(await statementItem(reader, b, layer, statement, predicateType))
    } else if (layer.mediaType === DSSE) items.push(await statementItem(reader, b, layer, await reader.dsseStatement(layer), null))
  }
  if (items.length > 0) return items
  return [{ ...b, kind: 'other', description: info.artifactType ?? info.mediaType }]
}
