import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, it } from 'vitest'

// A sandboxed preload is one bundled file: it must carry names only, never the contract's schemas
// (zod and every model made it 200 kB). Its value imports are Electron and the names list, nothing more.
it('the preload imports only electron and the contract names at run time', async () => {
  const source = await readFile(join(import.meta.dirname, '..', '..', 'src', 'preload', 'index.ts'), 'utf8')
  const valueImports = [...source.matchAll(/^import\s+(?!type\b)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1])
  expect(valueImports.sort()).toEqual(['../shared/contract/channels', 'electron'])
  const channels = await readFile(join(import.meta.dirname, '..', '..', 'src', 'shared', 'contract', 'channels.ts'), 'utf8')
  expect(channels).not.toMatch(/^import\s+(?!type\b)/m)
})
