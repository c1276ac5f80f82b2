import { describe, expect, it } from 'vitest'
import { layoutOf, paths } from './paths'
import { parseDigest, type Digest } from '@shared/reference'

const d = parseDigest(`sha256:ab${'c'.repeat(62)}`) as Digest
const hex = d.hex
const l = layoutOf('/data')
const repo = '/data/docker/registry/v2/repositories/team/app'

// Distribution's paths_test.go in spirit: every location, spelled out, so a layout change is a visible diff.
describe('layout', () => {
  it.each([
    [paths.blobData(l, d), `/data/docker/registry/v2/blobs/sha256/ab/${hex}/data`],
    [paths.repo(l, 'team/app'), repo],
    [paths.layerLink(l, 'team/app', d), `${repo}/_layers/sha256/${hex}/link`],
    [paths.revisionLink(l, 'team/app', d), `${repo}/_manifests/revisions/sha256/${hex}/link`],
    [paths.tagsDir(l, 'team/app'), `${repo}/_manifests/tags`],
    [paths.tagCurrentLink(l, 'team/app', 'v1'), `${repo}/_manifests/tags/v1/current/link`],
    [paths.tagIndexLink(l, 'team/app', 'v1', d), `${repo}/_manifests/tags/v1/index/sha256/${hex}/link`],
    [paths.uploadData(l, 'team/app', 'u-1'), `${repo}/_uploads/u-1/data`],
    [paths.uploadStartedAt(l, 'team/app', 'u-1'), `${repo}/_uploads/u-1/startedat`],
    [l.berth, '/data/berth']
  ])('%s', (actual, expected) => expect(actual).toBe(expected))
})
