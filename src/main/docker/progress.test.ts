import { describe, expect, it } from 'vitest'
import { adviseDockerError, applyLine, emptyProgress, overall, type ProgressLine } from './progress'

// Lines as dockerd 20.10 sends them (recorded from real pushes and pulls against Berth).
const pushLines: ProgressLine[] = [
  { status: 'The push refers to repository [localhost:5000/team/app]' },
  { status: 'Preparing', progressDetail: {}, id: 'f7a605bc704e' },
  { status: 'Preparing', progressDetail: {}, id: '68628dcbfbf2' },
  { status: 'Preparing', progressDetail: {}, id: '48a35f6fe379' },
  { status: 'Waiting', progressDetail: {}, id: '48a35f6fe379' },
  { status: 'Pushing', progressDetail: { current: 512, total: 3000000 }, id: 'f7a605bc704e' },
  { status: 'Mounted from team/base', progressDetail: {}, id: '48a35f6fe379' },
  { status: 'Layer already exists', progressDetail: {}, id: '68628dcbfbf2' },
  { status: 'Pushing', progressDetail: { current: 1500000, total: 3000000 }, id: 'f7a605bc704e' }
]
const pushEnd: ProgressLine[] = [
  { status: 'Pushed', progressDetail: {}, id: 'f7a605bc704e' },
  { status: '1: digest: sha256:85e9084b5bada924e276b316acba06b69ec85e3e8f222536640103e9ffe3a16a size: 946' },
  { progressDetail: {}, aux: { Tag: '1', Digest: 'sha256:85e9084b5bada924e276b316acba06b69ec85e3e8f222536640103e9ffe3a16a', Size: 946 } }
]

describe('docker progress', () => {
  it('tracks each pushed layer through its phases', () => {
    const s = emptyProgress()
    pushLines.forEach((l) => applyLine(s, l))
    expect(s.layers.get('f7a605bc704e')).toEqual({ id: 'f7a605bc704e', phase: 'uploading', current: 1500000, total: 3000000, size: null })
    expect(s.layers.get('48a35f6fe379')?.phase).toBe('mounted')
    expect(s.layers.get('68628dcbfbf2')?.phase).toBe('exists')
    const o = overall(s)
    expect(o).toMatchObject({ layers: 3, layersDone: 2, current: 1500000, total: 3000000 })
    expect(o.percent).toBeGreaterThanOrEqual(50)
    expect(o.percent).toBeLessThan(100)
    pushEnd.forEach((l) => applyLine(s, l))
    expect(s.layers.get('f7a605bc704e')).toMatchObject({ phase: 'done', current: 3000000 })
    expect(s.digest).toBe('sha256:85e9084b5bada924e276b316acba06b69ec85e3e8f222536640103e9ffe3a16a')
    expect(overall(s).percent).toBe(100)
  })

  it('is not at 100% when one layer is fully sent and the others have not started', () => {
    const s = emptyProgress()
    const ids = ['a1a1a1a1a1a1', 'b2b2b2b2b2b2', 'c3c3c3c3c3c3', 'd4d4d4d4d4d4', 'e5e5e5e5e5e5']
    for (const id of ids) applyLine(s, { status: 'Preparing', progressDetail: {}, id })
    applyLine(s, { status: 'Pushing', progressDetail: { current: 1000, total: 1000 }, id: ids[0] })
    expect(overall(s).percent).toBe(20)
    applyLine(s, { status: 'Pushed', progressDetail: {}, id: ids[0] })
    applyLine(s, { status: 'Layer already exists', progressDetail: {}, id: ids[1] })
    expect(overall(s).percent).toBe(40)
    for (const id of ids.slice(2)) applyLine(s, { status: 'Pushed', progressDetail: {}, id })
    expect(overall(s).percent).toBe(100)
  })

  it('tracks a pull: download, verify, extract, complete; skips non-layer ids', () => {
    const s = emptyProgress()
    const lines: ProgressLine[] = [
      { status: 'Pulling from team/app', id: '1' },
      { status: 'Already exists', progressDetail: {}, id: '9eeaf680f64b' },
      { status: 'Pulling fs layer', progressDetail: {}, id: '4d09b405776b' },
      { status: 'Downloading', progressDetail: { current: 100, total: 1000 }, id: '4d09b405776b' },
      { status: 'Verifying Checksum', progressDetail: {}, id: '4d09b405776b' },
      { status: 'Extracting', progressDetail: { current: 500, total: 1000 }, id: '4d09b405776b' },
      { status: 'Pull complete', progressDetail: {}, id: '4d09b405776b' },
      { status: 'Digest: sha256:85e9084b5bada924e276b316acba06b69ec85e3e8f222536640103e9ffe3a16a' }
    ]
    lines.forEach((l) => applyLine(s, l))
    expect([...s.layers.keys()]).toEqual(['9eeaf680f64b', '4d09b405776b'])
    expect(s.layers.get('4d09b405776b')).toMatchObject({ phase: 'done', current: 1000, total: 1000 })
    expect(s.digest).toMatch(/^sha256:/)
  })

  it('keeps the error a stream reports', () => {
    const s = emptyProgress()
    applyLine(s, { errorDetail: { message: 'Get "https://10.0.0.5:5000/v2/": http: server gave HTTP response to HTTPS client' }, error: 'x' })
    expect(s.error).toMatch(/HTTP response to HTTPS client/)
  })

  it('turns the HTTPS error into the insecure-registries advice', () => {
    const advice = adviseDockerError('http: server gave HTTP response to HTTPS client', '10.0.0.5:5000')
    expect(advice).toMatch(/insecure-registries/)
    expect(advice).toMatch(/"10\.0\.0\.5:5000"/)
    expect(advice).toMatch(/localhost/)
  })
})
