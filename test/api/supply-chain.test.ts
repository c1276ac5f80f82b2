import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Referrer } from '../../src/shared/model/insight'
import { startService } from '../helpers/service-harness'
import {
  BUILD_FINISHED, BUILD_STARTED, BUILDER, OIDC_ISSUER, pushBuildkitIndex, pushCosignSignature, pushImage, pushNotationSignature, pushSbomArtifact, REVISION, SIGNED_AT, SIGNER, SOURCE
} from '../helpers/supply-chain'

// Signatures, SBOMs and provenance as cosign, notation, SBOM tools and BuildKit store them, pushed
// through Berth's registry, read back through the contract (catalog.referrers, catalog.sbom) and
// deleted together with their subject.

type Harness = Awaited<ReturnType<typeof startService>>

describe('what is stored about an image, through the contract', () => {
  let h: Harness
  let url = ''
  beforeAll(async () => {
    h = await startService()
    url = (await h.call('registry.status')).url!
  })
  afterAll(async () => {
    await h?.service.dispose()
  })

  const of = <K extends Referrer['kind']>(items: Referrer[], kind: K) => items.filter((i): i is Extract<Referrer, { kind: K }> => i.kind === kind)

  it('decodes a cosign keyless signature (referrer and tag scheme) and a notation JWS signature, says they are not verified', async () => {
    const image = await pushImage(url, 'team/signed', '1.0')
    const referrer = await pushCosignSignature(url, 'team/signed', image, 'referrer')
    const tagged = await pushCosignSignature(url, 'team/signed', image, 'tag')
    const notation = await pushNotationSignature(url, 'team/signed', image)

    const result = await h.call('catalog.referrers', { repository: 'team/signed', reference: '1.0' })
    expect(result.digest).toBe(image.digest)
    const signatures = of(result.items, 'signature')
    expect(signatures.map((s) => [s.digest, s.source, s.signature.format]).sort()).toEqual(
      [[referrer.digest, 'subject', 'cosign'], [tagged.digest, 'tag', 'cosign'], [notation.digest, 'subject', 'notation']].sort()
    )
    for (const s of signatures) {
      expect(s.signature).toMatchObject({ signer: SIGNER, signedAt: SIGNED_AT, signedDigest: image.digest, matchesSubject: true, verified: false })
    }
    const cosign = signatures.find((s) => s.digest === referrer.digest)!
    expect(cosign.signature.issuer).toBe(OIDC_ISSUER)
    expect(cosign.signature.reference).toBe('localhost/team/signed')
    expect(JSON.parse(cosign.signature.payload!)).toMatchObject({ critical: { type: 'cosign container image signature' } })
    expect(signatures.find((s) => s.digest === tagged.digest)!.tag).toBe(`${image.digest.replace(':', '-')}.sig`)
    expect(JSON.parse(signatures.find((s) => s.digest === notation.digest)!.signature.payload!).protected['io.cncf.notary.signingTime']).toBe(SIGNED_AT)
    expect(result.deletable).toBe(3)
  })

  it('reads SPDX and CycloneDX SBOMs: a summary on the tag, then bounded, filtered pages of packages with licences', async () => {
    const image = await pushImage(url, 'team/sbom', '2.0')
    const spdx = await pushSbomArtifact(url, 'team/sbom', image, 'spdx', 5000)
    const cdx = await pushSbomArtifact(url, 'team/sbom', image, 'cyclonedx', 30)
    const { items } = await h.call('catalog.referrers', { repository: 'team/sbom', reference: '2.0' })
    const sboms = of(items, 'sbom')
    expect(sboms.find((s) => s.digest === spdx.digest)!.sbom).toMatchObject({ format: 'spdx', specVersion: 'SPDX-2.3', name: 'web', tool: 'syft-1.18.0', packages: 5000 })
    expect(sboms.find((s) => s.digest === cdx.digest)!.sbom).toMatchObject({ format: 'cyclonedx', specVersion: '1.5', name: 'web', tool: 'trivy 0.57.1', packages: 30 })

    const page = await h.call('catalog.sbom', { repository: 'team/sbom', referrer: spdx.digest, limit: 50 })
    expect(page).toMatchObject({ total: 5000, matching: 5000, offset: 0, truncated: false })
    expect(page.packages).toHaveLength(50)
    expect(page.packages[0]).toEqual({ name: 'openssl', version: '3.3.2-r0', licenses: ['MIT'], purl: 'pkg:apk/alpine/openssl@1.0.0', supplier: 'Alpine' })
    // Every 7th package has NOASSERTION: no licence, not the word.
    expect(page.packages[6].licenses).toEqual([])
    expect(page.licenses[0]).toMatchObject({ license: expect.any(String), count: expect.any(Number) })

    const gpl = await h.call('catalog.sbom', { repository: 'team/sbom', referrer: spdx.digest, filter: 'gpl', offset: 10, limit: 5 })
    expect(gpl.matching).toBe(Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 7 !== 6 && i % 4 === 2).length)
    expect(gpl.packages.map((p) => p.licenses)).toEqual(Array(5).fill(['GPL-2.0-only']))

    const mit = await h.call('catalog.sbom', { repository: 'team/sbom', referrer: cdx.digest, filter: 'apache' })
    const apache = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 === 2 || i % 2 === 1)
    expect(mit.packages.map((p) => p.name)).toEqual(apache.map((i) => (i % 2 ? `org.example/lib-${i}` : `lib-${i}`)))
    await expect(h.fail('catalog.sbom', { repository: 'team/sbom', referrer: image.digest })).resolves.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('shows BuildKit provenance and SBOM attestations of each platform of an index', async () => {
    const { index, platforms, attestations } = await pushBuildkitIndex(url, 'team/web', 'v1.2', 12)
    const { items, digest } = await h.call('catalog.referrers', { repository: 'team/web', reference: 'v1.2' })
    expect(digest).toBe(index.digest)
    const provenance = of(items, 'provenance')
    expect(provenance.map((p) => [p.subject, p.platform?.architecture, p.source])).toEqual([
      [platforms[0].digest, 'amd64', 'buildkit'],
      [platforms[1].digest, 'arm64', 'buildkit']
    ])
    expect(provenance[0].provenance).toMatchObject({ builder: BUILDER, source: SOURCE, revision: REVISION, startedOn: BUILD_STARTED, finishedOn: BUILD_FINISHED, predicateType: 'https://slsa.dev/provenance/v0.2' })
    expect(provenance[0].provenance.materials).toEqual(['pkg:docker/alpine@3.20?platform=linux%2Famd64'])
    const sboms = of(items, 'sbom')
    expect(sboms.map((s) => [s.digest, s.sbom.name, s.sbom.packages])).toEqual([
      [attestations[0].digest, 'team/web-amd64', 12],
      [attestations[1].digest, 'team/web-arm64', 12]
    ])
    const page = await h.call('catalog.sbom', { repository: 'team/web', referrer: attestations[1].digest, blob: sboms[1].sbom.blob, filter: 'openssl' })
    expect(page.packages.map((p) => p.name)).toEqual(['openssl'])
  })

  it('deletes a manifest with its referrers when asked, and lists untagged manifests without them', async () => {
    const image = await pushImage(url, 'team/gone', '1')
    const other = await pushImage(url, 'team/gone', null, { created: '2026-10-01T00:00:00Z' })
    await pushCosignSignature(url, 'team/gone', image, 'referrer')
    const tagged = await pushCosignSignature(url, 'team/gone', image, 'tag')
    await pushSbomArtifact(url, 'team/gone', image, 'spdx', 3)

    const untagged = await h.call('catalog.untagged', { repository: 'team/gone' })
    expect(untagged.map((u) => u.digest)).toEqual([other.digest])
    expect(untagged[0]).toMatchObject({ kind: 'image', created: '2026-10-01T00:00:00Z', size: expect.any(Number) })

    const done = await h.call('catalog.deleteManifest', { repository: 'team/gone', digest: image.digest, referrers: true })
    expect(done.tags).toEqual(['1'])
    expect(done.referrers).toHaveLength(3)
    expect(done.referrers).toContain(tagged.digest)
    expect(await h.call('catalog.tags', { repository: 'team/gone' })).toEqual([])
    const res = await fetch(`${url}/v2/team/gone/referrers/${image.digest}`)
    expect(((await res.json()) as { manifests: unknown[] }).manifests).toEqual([])
  })

  it('deletes many tags at once, each on its own, and reports those already gone', async () => {
    const image = await pushImage(url, 'team/bulk', 'a')
    for (const t of ['b', 'c', 'd']) await fetch(`${url}/v2/team/bulk/manifests/${t}`, { method: 'PUT', body: await (await fetch(`${url}/v2/team/bulk/manifests/a`, { headers: { Accept: image.mediaType } })).arrayBuffer(), headers: { 'Content-Type': image.mediaType } })
    const mark = h.mark()
    const result = await h.call('catalog.deleteTags', { repository: 'team/bulk', tags: ['a', 'c', 'zz'] })
    expect(result).toEqual({ deleted: ['a', 'c'], missing: ['zz'] })
    expect((await h.call('catalog.tags', { repository: 'team/bulk' })).map((t) => t.tag)).toEqual(['b', 'd'])
    // One change for the whole batch.
    await expect.poll(() => h.events('catalog.changed', mark).filter((c) => c.repository === 'team/bulk')).toEqual([{ repository: 'team/bulk', action: 'untag' }])
    await expect(h.fail('catalog.deleteTags', { repository: 'team/nothing-here', tags: ['a'] })).resolves.toMatchObject({ code: 'NOT_FOUND' })
  })
})
