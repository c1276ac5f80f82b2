import { randomBytes, webcrypto } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { EC_ALGORITHM, generateKeys, loadX509, randomSerial, type X509Certificate } from '../../src/main/tls/x509'
import { OCI_CONFIG, OCI_EMPTY, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, putBlob, putManifest, sha256, type Pushed } from './oci-push'

// What signers, SBOM tools and BuildKit store beside an image, made as they make it and pushed
// through a registry's API: a cosign keyless signature (simple-signing payload, Fulcio-style
// certificate, Rekor bundle) as an OCI referrer and by cosign's tag scheme, a notation JWS signature,
// SPDX and CycloneDX SBOMs as OCI artifacts, and a BuildKit index whose attestation manifest holds
// SLSA provenance and an SPDX statement. The signatures are real ECDSA signatures over the payloads.

export const SIGNER = 'dev@example.com'
export const OIDC_ISSUER = 'https://accounts.example.com'
export const SIGNED_AT = '2026-11-20T10:00:00.000Z'
export const BUILD_STARTED = '2026-11-20T09:58:00.000Z'
export const BUILD_FINISHED = '2026-11-20T09:59:30.000Z'
export const SOURCE = 'https://github.com/example/web.git'
export const REVISION = '3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e'
export const BUILDER = 'https://github.com/docker/buildx/actions/runs/1'

type Subject = Pushed & { mediaType: string }

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url')

/** A Fulcio-like leaf: the signer's e-mail as SAN, the OIDC issuer in extension 1.3.6.1.4.1.57264.1.8 (a DER UTF8String). */
async function signingCertificate(): Promise<{ cert: X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  const x509 = await loadX509()
  const keys = await generateKeys()
  const issuer = Buffer.from(OIDC_ISSUER)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=sigstore-intermediate',
    notBefore: new Date(SIGNED_AT),
    notAfter: new Date(Date.parse(SIGNED_AT) + 10 * 60_000),
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'email', value: SIGNER }]),
      new x509.Extension('1.3.6.1.4.1.57264.1.8', false, Buffer.concat([Buffer.from([0x0c, issuer.length]), issuer]))
    ]
  })
  return { cert, keys }
}

async function sign(keys: webcrypto.CryptoKeyPair, data: Buffer | string): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.sign(EC_ALGORITHM, keys.privateKey, Buffer.from(data)))
}

const descriptorOf = (s: Subject) => ({ mediaType: s.mediaType, digest: s.digest, size: s.size })

async function emptyConfig(registry: string, repo: string) {
  return { mediaType: OCI_EMPTY, ...(await putBlob(registry, repo, '{}')) }
}

/** A one-layer OCI image; `created` lands in its config. */
export async function pushImage(registry: string, repo: string, tag: string | null, options: { created?: string; architecture?: string; bytes?: number } = {}): Promise<Subject> {
  const layer = await putBlob(registry, repo, gzipSync(randomBytes(options.bytes ?? 4096)))
  const config = await putBlob(
    registry,
    repo,
    JSON.stringify({ architecture: options.architecture ?? 'amd64', os: 'linux', created: options.created ?? '2026-11-20T10:00:00Z', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(layer.digest)] } })
  )
  return putManifest(registry, repo, tag, OCI_MANIFEST, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...config }, layers: [{ mediaType: OCI_LAYER, ...layer }] })
}

/** cosign's keyless signature of `subject`: as an OCI 1.1 referrer (`scheme: 'referrer'`) or as the tag `sha256-<hex>.sig`. */
export async function pushCosignSignature(registry: string, repo: string, subject: Subject, scheme: 'referrer' | 'tag' = 'referrer'): Promise<Subject> {
  const payload = JSON.stringify({
    critical: { identity: { 'docker-reference': `localhost/${repo}` }, image: { 'docker-manifest-digest': subject.digest }, type: 'cosign container image signature' },
    optional: null
  })
  const blob = await putBlob(registry, repo, payload)
  const { cert, keys } = await signingCertificate()
  const signature = (await sign(keys, payload)).toString('base64')
  const bundle = { SignedEntryTimestamp: randomBytes(32).toString('base64'), Payload: { body: b64url('{}'), integratedTime: Date.parse(SIGNED_AT) / 1000, logIndex: 4242, logID: randomBytes(32).toString('hex') } }
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    ...(scheme === 'referrer' ? { artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' } : {}),
    config: scheme === 'referrer' ? await emptyConfig(registry, repo) : { mediaType: OCI_CONFIG, ...(await putBlob(registry, repo, '{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}')) },
    layers: [
      {
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        ...blob,
        annotations: {
          'dev.cosignproject.cosign/signature': signature,
          'dev.sigstore.cosign/certificate': cert.toString('pem'),
          'dev.sigstore.cosign/bundle': JSON.stringify(bundle)
        }
      }
    ],
    ...(scheme === 'referrer' ? { subject: descriptorOf(subject) } : {})
  }
  const tag = scheme === 'tag' ? `${subject.digest.replace(':', '-')}.sig` : null
  return putManifest(registry, repo, tag, OCI_MANIFEST, manifest)
}

/** notation's signature: a JWS envelope (JSON serialization) with the leaf in x5c and the signing time in the protected header. */
export async function pushNotationSignature(registry: string, repo: string, subject: Subject): Promise<Subject> {
  const { cert, keys } = await signingCertificate()
  const protectedHeader = b64url(JSON.stringify({ alg: 'ES256', cty: 'application/vnd.cncf.notary.payload.v1+json', crit: ['io.cncf.notary.signingScheme'], 'io.cncf.notary.signingScheme': 'notary.x509', 'io.cncf.notary.signingTime': SIGNED_AT }))
  const payload = b64url(JSON.stringify({ targetArtifact: descriptorOf(subject) }))
  const signature = b64url(await sign(keys, `${protectedHeader}.${payload}`))
  const envelope = await putBlob(registry, repo, JSON.stringify({ payload, protected: protectedHeader, header: { x5c: [Buffer.from(cert.rawData).toString('base64')], 'io.cncf.notary.signingAgent': 'notation-go/1.2.0' }, signature }))
  return putManifest(registry, repo, null, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: 'application/vnd.cncf.notary.signature',
    config: await emptyConfig(registry, repo),
    layers: [{ mediaType: 'application/jose+json', ...envelope }],
    subject: descriptorOf(subject),
    annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["00"]', 'org.opencontainers.image.created': SIGNED_AT }
  })
}

export const LICENSES = ['MIT', 'Apache-2.0', 'GPL-2.0-only', 'BSD-3-Clause']

/** An SPDX 2.3 document of `count` packages (`pkg-0` …, licences cycling through LICENSES, every 7th NOASSERTION). */
export function spdxDocument(count: number, name = 'web') {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://example.com/spdx/${name}`,
    creationInfo: { created: '2026-11-20T10:00:00Z', creators: ['Organization: Example', 'Tool: syft-1.18.0'] },
    packages: Array.from({ length: count }, (_, i) => ({
      SPDXID: `SPDXRef-Package-${i}`,
      name: i === 0 ? 'openssl' : `pkg-${i}`,
      versionInfo: i === 0 ? '3.3.2-r0' : `1.${i}.0`,
      supplier: 'Organization: Alpine',
      licenseConcluded: i % 7 === 6 ? 'NOASSERTION' : LICENSES[i % LICENSES.length],
      licenseDeclared: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:apk/alpine/${i === 0 ? 'openssl' : `pkg-${i}`}@1.${i}.0` }]
    }))
  }
}

export function cyclonedxDocument(count: number) {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: { timestamp: '2026-11-21T08:00:00Z', tools: { components: [{ type: 'application', name: 'trivy', version: '0.57.1' }] }, component: { type: 'container', name: 'web' } },
    components: Array.from({ length: count }, (_, i) => ({
      type: 'library',
      group: i % 2 ? 'org.example' : undefined,
      name: `lib-${i}`,
      version: `2.${i}`,
      licenses: i % 3 === 2 ? [{ expression: 'MIT OR Apache-2.0' }] : [{ license: { id: LICENSES[i % 2] } }],
      purl: `pkg:maven/org.example/lib-${i}@2.${i}`
    }))
  }
}

/** An SBOM as an OCI artifact referring to `subject` (oras attach / cosign attach --type … in OCI 1.1 mode). */
export async function pushSbomArtifact(registry: string, repo: string, subject: Subject, format: 'spdx' | 'cyclonedx', count: number): Promise<Subject> {
  const mediaType = format === 'spdx' ? 'application/spdx+json' : 'application/vnd.cyclonedx+json'
  const doc = await putBlob(registry, repo, JSON.stringify(format === 'spdx' ? spdxDocument(count) : cyclonedxDocument(count)))
  return putManifest(registry, repo, null, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: mediaType,
    config: await emptyConfig(registry, repo),
    layers: [{ mediaType, ...doc, annotations: { 'org.opencontainers.image.title': `sbom.${format}.json` } }],
    subject: descriptorOf(subject),
    annotations: { 'org.opencontainers.image.created': '2026-11-21T08:00:00Z' }
  })
}

/** A BuildKit image index: linux/amd64 and linux/arm64, each with an attestation manifest holding SLSA v0.2 provenance and an SPDX statement. */
export async function pushBuildkitIndex(registry: string, repo: string, tag: string, packages = 12): Promise<{ index: Subject; platforms: Subject[]; attestations: Subject[] }> {
  const platforms: Subject[] = []
  const attestations: Subject[] = []
  const children: unknown[] = []
  const attChildren: unknown[] = []
  for (const architecture of ['amd64', 'arm64']) {
    const image = await pushImage(registry, repo, null, { architecture })
    platforms.push(image)
    children.push({ ...descriptorOf(image), platform: { os: 'linux', architecture } })
    const subject = [{ name: `pkg:docker/${repo}@${tag}?platform=linux%2F${architecture}`, digest: { sha256: image.digest.slice(7) } }]
    const provenance = await putBlob(
      registry,
      repo,
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://slsa.dev/provenance/v0.2',
        subject,
        predicate: {
          builder: { id: BUILDER },
          buildType: 'https://mobyproject.org/buildkit@v1',
          materials: [{ uri: 'pkg:docker/alpine@3.20?platform=linux%2Famd64', digest: { sha256: 'a'.repeat(64) } }],
          invocation: { configSource: { entryPoint: 'Dockerfile' }, parameters: { frontend: 'dockerfile.v0' } },
          metadata: {
            buildStartedOn: BUILD_STARTED,
            buildFinishedOn: BUILD_FINISHED,
            completeness: { parameters: true, environment: true, materials: false },
            'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source: SOURCE, revision: REVISION } }
          }
        }
      })
    )
    const sbom = await putBlob(registry, repo, JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.6', predicateType: 'https://spdx.dev/Document', subject, predicate: spdxDocument(packages, `${repo}-${architecture}`) }))
    const att = await putManifest(registry, repo, null, OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: await emptyConfig(registry, repo),
      layers: [
        { mediaType: 'application/vnd.in-toto+json', ...provenance, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } },
        { mediaType: 'application/vnd.in-toto+json', ...sbom, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } }
      ]
    })
    attestations.push(att)
    attChildren.push({
      ...descriptorOf(att),
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': image.digest }
    })
  }
  const index = await putManifest(registry, repo, tag, OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...children, ...attChildren] })
  return { index, platforms, attestations }
}
