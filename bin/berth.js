#!/usr/bin/env node
// The `berth` command: runs the built headless entry (plain Node, no Electron).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'

// Keep V8's young generation at its first size (1 MiB semi-spaces) instead of letting it grow to
// 16 MiB ones: a registry's objects live either a request or the whole run, so a bigger nursery only
// holds garbage (measured: an idle `berth serve` 91 → 80 MB RSS, a 1 GiB push 105 → 97 MB, at the
// same speed). Set before anything is loaded, as loading the app is what grew it; a flag given on
// the command line is not honoured for this one, a runtime one is.
setFlagsFromString('--semi-space-growth-factor=1')

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write('berth: not built yet; run `npm run build` first (npm run berth / npm run serve do it for you).\n')
  process.exit(1)
}
const { main } = await import(pathToFileURL(cli).href)
await main(process.argv)
