import type { SignatureSummary } from '@shared/model/insight'
import { certificateIdentity } from './certificate'
import { arr, at, fromBase64, obj, parseJsonOrNull, pretty, str, toIso } from './decode'
import { COSIGN_BUNDLE_ANNOTATION, COSIGN_CERTIFICATE_ANNOTATION, COSIGN_SIGNATURE_ANNOTATION } from './media'

// Signatures decoded, never verified: who the certificate names, when the log or signer says it
// was signed, and what the payload says was signed. "verified: false" is part of every answer.

interface Layer {
  digest: string
  annotations?: Record<string, string>
}

function summary(partial: Partial<SignatureSummary> & Pick<SignatureSummary, 'format'>, subject: string): SignatureSummary {
  const signedDigest = partial.signedDigest ?? null
  return {
    signer: null,
    issuer: null,
    signedAt: null,
    reference: null,
    payload: null,
    count: 1,
    ...partial,
    signedDigest,
    matchesSubject: signedDigest === subject,
    verified: false
  }
}

/**
 * A cosign signature: per layer, a simple-signing payload (the blob) with the signature, the
 * certificate and the Rekor bundle in the layer's annotations. `payloads` holds each layer's blob.
 */
export async function cosignSignature(layers: Layer[], payloads: (Buffer | null)[], subject: string): Promise<SignatureSummary> {
  // The first signature describes the manifest; the count says how many it carries.
  const first = layers.findIndex((l) => l.annotations?.[COSIGN_SIGNATURE_ANNOTATION])
  const i = first >= 0 ? first : 0
  const annotations = layers[i]?.annotations ?? {}
  const payload = payloads[i] ? parseJsonOrNull(payloads[i]!) : null
  const cert = annotations[COSIGN_CERTIFICATE_ANNOTATION] ? await certificateIdentity(annotations[COSIGN_CERTIFICATE_ANNOTATION]) : null
  const bundle = annotations[COSIGN_BUNDLE_ANNOTATION] ? parseJsonOrNull(annotations[COSIGN_BUNDLE_ANNOTATION]) : null
  const optional = obj(payload?.optional)
  return summary(
    {
      format: 'cosign',
      signer: cert?.signer ?? str(optional.creator) ?? null,
      issuer: cert?.issuer ?? null,
      signedAt: toIso(at(bundle, 'Payload', 'integratedTime')) ?? toIso(optional.timestamp) ?? cert?.notBefore ?? null,
      signedDigest: str(at(payload, 'critical', 'image', 'docker-manifest-digest')),
      reference: str(at(payload, 'critical', 'identity', 'docker-reference')),
      payload: payload ? pretty(payload) : null,
      count: Math.max(1, layers.filter((l) => l.annotations?.[COSIGN_SIGNATURE_ANNOTATION]).length)
    },
    subject
  )
}

/** A notation signature in a JWS envelope (JSON serialization): signing time in the protected header, the chain in x5c. */
export async function notationJws(envelope: Buffer | null, subject: string): Promise<SignatureSummary> {
  const jws = envelope ? parseJsonOrNull(envelope) : null
  const protectedHeader = parseJsonOrNull(fromBase64(jws?.protected)?.toString('utf8') ?? '')
  const payload = parseJsonOrNull(fromBase64(jws?.payload)?.toString('utf8') ?? '')
  const chain = arr(at(jws, 'header', 'x5c'))
  const leaf = typeof chain[0] === 'string' ? fromBase64(chain[0]) : null
  const cert = leaf ? await certificateIdentity(leaf) : null
  return summary(
    {
      format: 'notation',
      signer: cert?.signer ?? null,
      issuer: cert?.issuer ?? null,
      signedAt: toIso(protectedHeader?.['io.cncf.notary.signingTime']) ?? null,
      signedDigest: str(at(payload, 'targetArtifact', 'digest')),
      payload: payload || protectedHeader ? pretty({ protected: protectedHeader, payload }) : null
    },
    subject
  )
}

/** A notation signature in a COSE envelope: CBOR, which Berth does not decode; the manifest says it is one. */
export function notationCose(subject: string): SignatureSummary {
  return summary({ format: 'notation', payload: null }, subject)
}

/**
 * A Sigstore bundle (cosign 2.4+'s OCI 1.1 format) holding a message signature: the certificate in
 * its verification material, the time from its transparency-log entry.
 */
export async function sigstoreBundle(bytes: Buffer | null, subject: string): Promise<SignatureSummary> {
  const bundle = bytes ? parseJsonOrNull(bytes) : null
  const material = obj(bundle?.verificationMaterial)
  const raw = str(at(material, 'certificate', 'rawBytes')) ?? str(obj(arr(at(material, 'x509CertificateChain', 'certificates'))[0]).rawBytes)
  const der = raw ? fromBase64(raw) : null
  const cert = der ? await certificateIdentity(der) : null
  const digest = obj(at(bundle, 'messageSignature', 'messageDigest'))
  const hex = str(digest.digest) ? fromBase64(digest.digest)?.toString('hex') : null
  const algorithm = str(digest.algorithm)?.toLowerCase().replace('_', '') ?? 'sha256'
  return summary(
    {
      format: 'sigstore-bundle',
      signer: cert?.signer ?? null,
      issuer: cert?.issuer ?? null,
      signedAt: toIso(obj(arr(material.tlogEntries)[0]).integratedTime) ?? cert?.notBefore ?? null,
      signedDigest: hex ? `${algorithm}:${hex}` : null,
      payload: bundle ? pretty({ mediaType: bundle.mediaType, messageSignature: bundle.messageSignature }) : null
    },
    subject
  )
}
