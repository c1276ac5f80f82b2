import { describe, expect, it } from 'vitest'
import { BerthError } from '@shared/errors'
import { parseDigest, type Digest } from '@shared/reference'
import { ociTargets, parseLayoutIndex } from './import-oci'
import { digestFromPath } from './read-tar'

const D = parseDigest(`sha256:${'b'.repeat(64)}`) as Digest
const entry = (annotations: Record<string, string>) => ({ digest: D, size: 10, annotations })

describe('ociTargets', () => {
  it('takes the full name from io.containerd.image.name, else a full ref.name', () => {
    expect(ociTargets([entry({ 'io.containerd.image.name': 'localhost:5000/team/app:1', 'org.opencontainers.image.ref.name': '1' })], undefined)).toEqual([
      { repository: 'team/app', tag: '1', digest: D }
    ])
    expect(ociTargets([entry({ 'org.opencontainers.image.ref.name': 'team/app:2' })], undefined)).toMatchObject([{ repository: 'team/app', tag: '2' }])
    expect(ociTargets([entry({ 'io.containerd.image.name': 'team/app' })], undefined)).toMatchObject([{ tag: 'latest' }])
    expect(ociTargets([entry({ 'io.containerd.image.name': `team/app@${D.value}` })], undefined)).toMatchObject([{ repository: 'team/app', tag: null }])
  })

  it('needs --repo for a bare tag or no name, and keeps the tag (latest when none)', () => {
    expect(() => ociTargets([entry({ 'org.opencontainers.image.ref.name': 'v1' })], undefined)).toThrow(/only the tag "v1" and no repository/)
    expect(() => ociTargets([entry({})], undefined)).toThrow(BerthError)
    expect(ociTargets([entry({ 'org.opencontainers.image.ref.name': 'v1' }), entry({})], 'x/y')).toMatchObject([
      { repository: 'x/y', tag: 'v1' },
      { repository: 'x/y', tag: 'latest' }
    ])
    expect(ociTargets([entry({ 'io.containerd.image.name': 'team/app:3' })], 'x/y')).toMatchObject([{ repository: 'x/y', tag: '3' }])
  })

  it('refuses an index.json that is not one', () => {
    expect(() => parseLayoutIndex(Buffer.from('{'), 'index.json')).toThrow(/not valid JSON/)
    expect(() => parseLayoutIndex(Buffer.from('{}'), 'index.json')).toThrow(/no "manifests" list/)
    expect(() => parseLayoutIndex(Buffer.from('{"manifests":[{"digest":"sha256:1"}]}'), 'index.json')).toThrow(/Entry 1 of index.json/)
  })
})

describe('digestFromPath', () => {
  it('reads OCI blob paths and docker save config names, nothing else', () => {
    expect(digestFromPath(`blobs/sha256/${D.hex}`)?.value).toBe(D.value)
    expect(digestFromPath(`${D.hex}.json`)?.value).toBe(D.value)
    expect(digestFromPath(`${D.hex}/layer.tar`)).toBeNull()
    expect(digestFromPath('blobs/sha256/short')).toBeNull()
  })
})

describe('ociTargets and renderings', () => {
  it('remembers which original a rendered manifest stands for', () => {
    const original = `sha256:${'c'.repeat(64)}`
    const [t] = ociTargets([entry({ 'io.containerd.image.name': 'team/app:1', 'io.github.berth.converted-from': original })], undefined)
    expect(t.convertedFrom?.value).toBe(original)
  })
})
