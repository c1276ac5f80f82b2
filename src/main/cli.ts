// Headless entry: `berth <command>`. Plain Node, never loads Electron.
import { Command, InvalidArgumentError, Option } from 'commander'
import { runExport, runImport } from './cli/archive'
import { addCatalogCommands } from './cli/catalog'
import { addCopyCommand } from './cli/copy'
import { addMirrorCommand, collectMirror } from './cli/mirror'
import { parseSize } from './config/size'
import { runServe } from './cli/serve'
import { addPolicyCommands } from './cli/policy'
import { addStorageCommands } from './cli/storage'
import { addSharingCommands } from './cli/sharing'
import { defaultDataDir } from './config/data-dir'
import { parseDuration } from './config/duration'
import { normalizeOrigin } from './registry/request-guard'
import { bindAddressProblem } from '@shared/bind-address'
// The bundler inlines the version (resolveJsonModule): `berth --version` needs no package.json at run time.
import pkg from '../../package.json'

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('a port is a number from 0 to 65535.')
  return Number(value)
}

function bindAddress(value: string): string {
  const problem = bindAddressProblem(value)
  // commander prints "error: option '-H, --host <address>' argument '…' is invalid." before this.
  if (problem) throw new InvalidArgumentError(problem)
  return value.trim()
}

function origin(value: string, previous: string[] = []): string[] {
  const normalized = normalizeOrigin(value)
  if (!normalized || !/^https?:\/\/[^/]+\/?$/i.test(value)) throw new InvalidArgumentError('an origin is scheme://host[:port], e.g. http://127.0.0.1:8080, with no path.')
  return [...previous, normalized]
}

function size(value: string): number {
  const bytes = parseSize(value)
  if (bytes === null) throw new InvalidArgumentError('use a size such as 500m, 20g or 1t.')
  return bytes
}

function duration(value: string): number {
  const ms = parseDuration(value)
  if (ms === null) throw new InvalidArgumentError('use a duration such as 90s, 30m, 24h or 7d.')
  return ms
}

export function buildProgram(): Command {
  const program = new Command('berth')
    .description('Berth: a private container registry on your laptop (OCI Distribution / Docker Registry API v2).')
    .version(pkg.version, '-V, --version', 'print the version of Berth')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })

  program
    .command('serve')
    .description('Run the registry in the foreground, without a window. Stop it with Ctrl-C.')
    .addOption(new Option('-p, --port <port>', 'registry port (0 picks a free one)').argParser(port).default(5000))
    .addOption(
      new Option('-H, --host <address>', 'address to bind; 127.0.0.1 keeps it on this machine, 0.0.0.0 shares it').argParser(bindAddress).default('127.0.0.1')
    )
    .addOption(new Option('-d, --data <dir>', 'data folder, in Distribution (registry:2) layout').default(defaultDataDir()))
    .addOption(
      new Option('--upload-ttl <duration>', 'delete uploads nobody has touched for this long').argParser(duration).default(24 * 3_600_000, '24h')
    )
    .addOption(new Option('--log-level <level>', 'log detail on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']).default('info'))
    .addOption(new Option('--ui-port <port>', 'port of the app and its API on 127.0.0.1 (0 picks a free one)').argParser(port).default(0))
    .option('--no-ui', 'serve the registry only, without the app and its API')
    .addOption(new Option('--allow-origin <origin>', 'let web pages of this origin use the registry port (repeatable; registry clients never need it)').argParser(origin))
    .addOption(new Option('--tls <mode>', 'shared (non-loopback) registries serve HTTPS; off serves plain HTTP, passwords in clear').choices(['on', 'off']).default('on'))
    .option('--anonymous-pull', 'shared: let anyone pull without an account (never push or delete)')
    .option('--tls-cert <file>', 'shared: your own certificate (PEM) instead of one from Berth\'s CA')
    .option('--tls-key <file>', 'the key of --tls-cert (PEM)')
    .addOption(new Option('--mirror <upstream-url>[=<prefix>]', 'pull-through cache of an upstream registry, under <prefix>/ or for every name (repeatable)').argParser(collectMirror))
    .addOption(new Option('--mirror-budget <size>', 'cache size budget (e.g. 20g); least recently pulled tags are evicted').argParser(size))
    .addOption(new Option('--mirror-ttl <duration>', 'serve a cached tag this long before checking it with the upstream').argParser(duration).default(60_000, '60s'))
    .addHelpText(
      'after',
      `
Then, from any shell:
  docker tag app:1.0 localhost:5000/team/app:1.0
  docker push localhost:5000/team/app:1.0
  curl http://localhost:5000/v2/_catalog

Shared on the network (--host 0.0.0.0): HTTPS from Berth's CA and accounts for every request:
  echo "$PASSWORD" | berth users add alice --role push --password-stdin
  berth share info        # the steps for the other machines`
    )
    .action(async (opts) => {
      process.exitCode = await runServe(opts)
    })

  program
    .command('export')
    .description('Write images to one tar file, for a machine that cannot reach this registry.')
    .argument('<ref...>', 'repo:tag, repo@sha256:…, or a repository (all its tags)')
    .requiredOption('-o, --output <file>', 'tar file to write')
    .addOption(new Option('-f, --format <format>', 'oci (an OCI image layout, for skopeo/podman/berth) or docker (for docker load)').choices(['oci', 'docker']).default('oci'))
    .addOption(new Option('-d, --data <dir>', 'data folder to read').default(defaultDataDir()))
    .option('--force', 'replace the output file if it exists')
    .action(async (refs: string[], opts) => {
      process.exitCode = await runExport(refs, opts)
    })

  program
    .command('import')
    .description('Store the images of a tar (berth export, docker save, OCI archive) or an OCI layout folder.')
    .argument('<file>', 'tar file or OCI image-layout folder')
    .option('-r, --repo <name>', 'put every image into this repository (tags kept)')
    .option('-n, --dry-run', 'say what the archive holds and where each image would go; write nothing')
    .addOption(new Option('-d, --data <dir>', 'data folder to write').default(defaultDataDir()))
    .action(async (file: string, opts) => {
      process.exitCode = await runImport(file, opts)
    })

  addCatalogCommands(program)
  addStorageCommands(program)
  addPolicyCommands(program)
  addSharingCommands(program)
  addCopyCommand(program)
  addMirrorCommand(program)

  return program
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv)
  } catch (err) {
    process.stderr.write(`berth: ${(err as Error).message}\n`)
    process.exitCode = 1
  }
}

// Run when started directly (`node out/main/cli.js …`); bin/berth.js imports and calls main().
if (process.argv[1] && /[\\/]cli\.(js|ts)$/.test(process.argv[1])) void main()
