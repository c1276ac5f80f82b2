import { describe, expect, it } from 'vitest'
import { defaultDataDir, defaultTlsDir } from './data-dir'
import { parseDuration } from './duration'

describe('default data folder', () => {
  it('follows XDG on Linux, like Electron userData', () => {
    expect(defaultDataDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.config/Berth/registry')
    expect(defaultDataDir({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Berth/registry')
  })
  it('uses Application Support on macOS', () => {
    expect(defaultDataDir({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Application Support/Berth/registry')
  })
  it('keeps the TLS folder beside it, per user', () => {
    expect(defaultTlsDir({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Berth/tls')
    expect(defaultTlsDir({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Application Support/Berth/tls')
    expect(defaultTlsDir({ HOME: 'C:/Users/u', APPDATA: 'C:/Users/u/AppData/Roaming' }, 'win32')).toMatch(/Roaming[\\/]Berth[\\/]tls$/)
  })
})

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['15', 15_000],
    ['250ms', 250],
    ['soon', null],
    ['-1h', null]
  ])('%s → %s', (text, ms) => expect(parseDuration(text)).toBe(ms))
})
