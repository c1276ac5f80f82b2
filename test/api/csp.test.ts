import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY, CSP_HEADER, CSP_PLACEHOLDER, injectCsp } from '../../src/shared/csp'

// One Content Security Policy for the Electron window (index.html's <meta>, written at build time)
// and for `berth serve` (the header): the two cannot drift, because there is only one string.

const ROOT = join(import.meta.dirname, '..', '..')
const metaCsp = (html: string) => /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/.exec(html)?.[1]

async function sources(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await sources(path)))
    else if (/\.(ts|tsx|html)$/.test(e.name) && !e.name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

describe('the Content Security Policy', () => {
  it('is strict: nothing but our own scripts, no plugins, no <base>', () => {
    const directives = CONTENT_SECURITY_POLICY.split('; ')
    expect(directives).toContain("default-src 'self'")
    expect(directives).toContain("script-src 'self'")
    expect(directives).toContain("object-src 'none'")
    expect(directives).toContain("base-uri 'none'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/)
    // frame-ancestors is ignored (with a console error) in a <meta>: the header adds it, and only it.
    expect(CSP_HEADER).toBe(`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`)
  })

  it('index.html carries it through the build’s placeholder, once, and no policy of its own', async () => {
    const html = await readFile(join(ROOT, 'src/renderer/index.html'), 'utf8')
    expect(html.split(CSP_PLACEHOLDER)).toHaveLength(2)
    expect(metaCsp(html)).toBe(CSP_PLACEHOLDER)
    expect(metaCsp(injectCsp(html))).toBe(CONTENT_SECURITY_POLICY)
    expect(() => injectCsp('<html></html>')).toThrow(/no __BERTH_CSP__/)
    const config = await readFile(join(ROOT, 'electron.vite.config.ts'), 'utf8')
    expect(config).toMatch(/transformIndexHtml: \{ order: 'pre', handler: injectCsp \}/)
  })

  it('is written in one place: no other source holds a policy', async () => {
    const holders: string[] = []
    for (const file of [...(await sources(join(ROOT, 'src'))), join(ROOT, 'electron.vite.config.ts')])
      if (/default-src|object-src|frame-ancestors/.test(await readFile(file, 'utf8'))) holders.push(file.slice(ROOT.length + 1))
    expect(holders).toEqual(['src/shared/csp.ts'])
  })

  it('the built window (out/renderer, when built) has exactly that policy', async () => {
    const built = await readFile(join(ROOT, 'out/renderer/index.html'), 'utf8').catch(() => null)
    if (built === null) return console.warn('out/renderer is not built: the built page is checked by the e2e tests')
    expect(metaCsp(built)).toBe(CONTENT_SECURITY_POLICY)
  })
})
