#!/usr/bin/env node
// The `berth` command: runs the built headless entry (plain Node, no Electron).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write('berth: not built yet; run `npm run build` first (npm run berth / npm run serve do it for you).\n')
  process.exit(1)
}
const { main } = await import(pathToFileURL(cli).href)
await main(process.argv)
