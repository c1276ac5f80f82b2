import { describe, expect, it } from 'vitest'
import { gzipFromEnv, layerEncodingFor } from './transfer-route'

describe('how a push by export stores layers', () => {
  it('automatic: uncompressed while the registry serves this machine, gzip once it is shared', () => {
    expect(layerEncodingFor({ layerEncoding: 'auto', host: '127.0.0.1' })).toBe('uncompressed')
    expect(layerEncodingFor({ layerEncoding: 'auto', host: 'localhost' })).toBe('uncompressed')
    expect(layerEncodingFor({ layerEncoding: 'auto', host: '::1' })).toBe('uncompressed')
    expect(layerEncodingFor({ layerEncoding: 'auto', host: '0.0.0.0' })).toBe('gzip')
    expect(layerEncodingFor({ layerEncoding: 'auto', host: '192.168.1.20' })).toBe('gzip')
  })

  it('a person’s choice wins', () => {
    expect(layerEncodingFor({ layerEncoding: 'gzip', host: '127.0.0.1' })).toBe('gzip')
    expect(layerEncodingFor({ layerEncoding: 'uncompressed', host: '0.0.0.0' })).toBe('uncompressed')
  })

  it('reads the bench’s gzip knob', () => {
    expect(gzipFromEnv(undefined)).toBeUndefined()
    expect(gzipFromEnv('stream:6')).toMatchObject({ mode: 'stream', level: 6, storeIncompressible: true })
    expect(gzipFromEnv('chunks:1:nostore')).toMatchObject({ mode: 'chunks', level: 1, storeIncompressible: false })
  })
})
