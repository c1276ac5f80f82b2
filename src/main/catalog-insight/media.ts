// The media types and annotations signers, SBOM tools and BuildKit write (as found in their docs and
// in the wild); what a referrer is, is decided from these.

export const COSIGN_SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json'
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature'
export const COSIGN_CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate'
export const COSIGN_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle'
export const NOTATION_SIGNATURE = 'application/vnd.cncf.notary.signature'
export const JWS = 'application/jose+json'
export const COSE = 'application/cose'
export const SIGSTORE_BUNDLE = /^application\/vnd\.dev\.sigstore\.bundle(\.v[\d.]+)?\+json/
export const DSSE = 'application/vnd.dsse.envelope.v1+json'
export const IN_TOTO = 'application/vnd.in-toto+json'
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type'

export const SPDX_TYPES = new Set(['application/spdx+json', 'text/spdx+json', 'application/vnd.spdx+json'])
export const CYCLONEDX_TYPES = new Set(['application/vnd.cyclonedx+json', 'application/cyclonedx+json'])

export function sbomFormatOfMediaType(mediaType: string | null | undefined): 'spdx' | 'cyclonedx' | null {
  if (!mediaType) return null
  const base = mediaType.split(';')[0].trim()
  if (SPDX_TYPES.has(base)) return 'spdx'
  if (CYCLONEDX_TYPES.has(base)) return 'cyclonedx'
  return null
}

export function sbomFormatOfPredicate(predicateType: string | null | undefined): 'spdx' | 'cyclonedx' | null {
  if (!predicateType) return null
  if (/spdx\.dev\/Document/i.test(predicateType)) return 'spdx'
  if (/cyclonedx\.org\/bom/i.test(predicateType)) return 'cyclonedx'
  return null
}

export function isProvenancePredicate(predicateType: string | null | undefined): boolean {
  return !!predicateType && /slsa\.dev\/provenance/i.test(predicateType)
}
