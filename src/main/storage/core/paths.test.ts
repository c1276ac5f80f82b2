import { describe, expect, it } from 'vitest'
import { blobDigestOfRelative, dataDirOf, isHiddenRepository, layoutOf, paths } from './paths'
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
    [paths.blobDir(l, d), `/data/docker/registry/v2/blobs/sha256/ab/${hex}`],
    [paths.repoFolder(l, 'team/app', '_uploads'), `${repo}/_uploads`],
    [paths.layersDir(l, 'team/app'), `${repo}/_layers`],
    [paths.layerLinkDir(l, 'team/app', d), `${repo}/_layers/sha256/${hex}`],
    [paths.manifestsDir(l, 'team/app'), `${repo}/_manifests`],
    [paths.revisionsDir(l, 'team/app'), `${repo}/_manifests/revisions`],
    [paths.revisionLinkDir(l, 'team/app', d), `${repo}/_manifests/revisions/sha256/${hex}`],
    [paths.tagDir(l, 'team/app', 'v1'), `${repo}/_manifests/tags/v1`],
    [paths.uploadsDir(l, 'team/app'), `${repo}/_uploads`],
    [paths.uploadDir(l, 'team/app', 'u-1'), `${repo}/_uploads/u-1`],
    [paths.importAreaParent(l), '/data/docker/registry/v2/repositories/berth-import-tmp'],
    [paths.importAreaName('f00'), 'berth-import-tmp/f00'],
    [paths.servingFile(l), '/data/berth/serving.json'],
    [paths.htpasswdFile(l), '/data/berth/htpasswd'],
    [paths.rolesFile(l), '/data/berth/roles.json'],
    [paths.logsDir(l), '/data/berth/logs'],
    [paths.uploadInbox(l), '/data/berth/inbox'],
    [paths.inboxFile(l, '42'), '/data/berth/inbox/upload-42.tar'],
    [paths.policiesFile(l), '/data/berth/policies.json'],
    [paths.policyRunsFile(l), '/data/berth/policy-runs.json'],
    [paths.movingCopy('/mnt/big/berth', 'x1'), '/mnt/big/.berth.berth-moving-x1'],
    [l.berth, '/data/berth']
  ])('%s', (actual, expected) => expect(actual).toBe(expected))

  it('covers every path function', () => {
    // A new location must get its row above.
    expect(Object.keys(paths).sort()).toEqual([
      'blobData', 'blobDir', 'htpasswdFile', 'importAreaName', 'importAreaParent', 'inboxFile', 'layerLink', 'layerLinkDir', 'layersDir', 'logsDir', 'manifestsDir', 'movingCopy',
      'policiesFile', 'policyRunsFile', 'repo', 'repoFolder', 'revisionLink', 'revisionLinkDir', 'revisionsDir', 'rolesFile', 'servingFile', 'tagCurrentLink', 'tagDir', 'tagIndexLink', 'tagsDir',
      'uploadData', 'uploadDir', 'uploadInbox', 'uploadStartedAt', 'uploadsDir'
    ])
  })

  it('hides import areas, reads a blob path back, and takes the tree itself for its data folder', () => {
    expect(isHiddenRepository('berth-import-tmp/abc')).toBe(true)
    expect(isHiddenRepository('berth-import-tmp-not')).toBe(false)
    expect(blobDigestOfRelative(['docker', 'registry', 'v2', 'blobs', 'sha256', 'ab', hex, 'data'])).toEqual({ algorithm: 'sha256', hex })
    expect(blobDigestOfRelative(['docker', 'registry', 'v2', 'repositories', 'x', '_layers', 'sha256', hex, 'link'])).toBeNull()
    expect(dataDirOf('/srv/reg/docker/registry/v2')).toBe('/srv/reg')
    expect(dataDirOf('/srv/reg/docker/registry')).toBe('/srv/reg')
    expect(dataDirOf('/srv/reg')).toBe('/srv/reg')
  })
})
