import { resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { BerthError } from '@shared/errors'
import { defaultDataDir } from '../config/data-dir'
import { CacheLedger } from '../remote/cache-ledger'
import { mirrorAdvice, parseMirrorSpec } from '../remote/mirror-spec'
import { pullHost } from '../service/registry-host'
import { layoutOf } from '../storage/core/paths'
import { servingProcess } from '../storage/manage'

// `serve --mirror` options and `berth mirror info`: what to put in Docker's daemon.json (Docker Hub
// only) and how to name images of the other upstreams.

/** commander collector for a repeatable `--mirror <upstream-url>[=<prefix>]`. */
export function collectMirror(value: string, previous: string[] = []): string[] {
  try {
    parseMirrorSpec(value)
  } catch (err) {
    throw new InvalidArgumentError((err as BerthError).message)
  }
  return [...previous, value]
}

export function addMirrorCommand(program: Command): void {
  const mirror = program.command('mirror').description('The pull-through cache (berth serve --mirror).')
  mirror
    .command('info')
    .description('How to use the cache: the "registry-mirrors" line for daemon.json (Docker Hub only) and <berth>/<prefix>/<repo> for other upstreams.')
    .addOption(new Option('-d, --data <dir>', 'data folder of the serving Berth').default(defaultDataDir()))
    .addOption(new Option('--mirror <upstream-url>[=<prefix>]', 'upstreams, when no Berth serves the folder (repeatable)').argParser(collectMirror))
    .action(async (opts: { data: string; mirror?: string[] }) => {
      const layout = layoutOf(resolve(opts.data))
      const serving = await servingProcess(layout)
      const specs = (serving?.mirrors ?? opts.mirror ?? []).map(parseMirrorSpec)
      const host = serving ? pullHost(serving.host, serving.port) : 'localhost:5000'
      if (!serving) process.stdout.write(`No Berth serves ${layout.root} now; assuming berth serve --port 5000.\n`)
      for (const line of mirrorAdvice(specs, host)) process.stdout.write(`${line}\n`)
      const cached = await new CacheLedger(layout).all()
      if (specs.length) process.stdout.write(`Cached tags in ${layout.root}: ${cached.length}\n`)
    })
}
