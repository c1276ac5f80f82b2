import { join, resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import pino from 'pino'
import { BerthError } from '@shared/errors'
import { defaultDataDir } from '../config/data-dir'
import { copyImage, type CopyProgress } from '../remote/copy'
import { parseCredentialFlag } from '../remote/credentials'
import { openEndpoint } from '../remote/open-endpoint'
import { nativePlatform, parsePlatform } from '../remote/platform'
import { formatReference } from '../remote/reference'
import { FileResumeStore } from '../remote/resume'
import { layoutOf } from '../storage/core/paths'
import { formatBytes } from '@shared/format'

// `berth copy <src> <dst>`: skopeo copy between registries and this Berth, without a Docker engine.

function bool(value: string | undefined): boolean {
  if (value === undefined || value === 'true') return true
  if (value === 'false') return false
  throw new InvalidArgumentError('use true or false, e.g. --dest-tls-verify=false.')
}

function creds(value: string) {
  try {
    return parseCredentialFlag(value)
  } catch {
    throw new InvalidArgumentError('credentials are user:password.')
  }
}

export interface CopyOptions {
  srcCreds?: { username: string; password: string }
  destCreds?: { username: string; password: string }
  srcTlsVerify: boolean
  destTlsVerify: boolean
  all?: boolean
  platform?: string
  data: string
  logLevel: string
}

/** Progress on stderr: a line when a blob starts, is skipped or finishes, and every ~25% of a big one. */
function progressPrinter() {
  const shown = new Map<string, number>()
  return (p: CopyProgress) => {
    const short = p.digest.slice(7, 19)
    if (p.phase === 'copying') {
      const quarter = p.total > 0 ? Math.floor((4 * p.current) / p.total) : 0
      if (shown.get(p.digest) === quarter) return
      shown.set(p.digest, quarter)
      process.stderr.write(`${short}: copying ${formatBytes(p.current)} / ${formatBytes(p.total)}\n`)
    } else if (p.phase !== 'waiting') process.stderr.write(`${short}: ${p.phase === 'copied' ? 'done' : p.phase === 'exists' ? 'already there' : 'mounted'}\n`)
  }
}

export async function runCopy(src: string, dst: string, opts: CopyOptions): Promise<number> {
  const data = resolve(opts.data)
  const log = pino({ level: opts.logLevel, base: undefined }, pino.destination({ dest: 2, sync: true }))
  try {
    if (opts.all && opts.platform) throw new BerthError('INVALID_INPUT', 'Give --all or --platform, not both.')
    const platforms = opts.all ? 'all' : opts.platform ? parsePlatform(opts.platform) : nativePlatform()
    const source = await openEndpoint(src, { data, credential: opts.srcCreds, tlsVerify: opts.srcTlsVerify, log })
    const target = await openEndpoint(dst, { data, credential: opts.destCreds, tlsVerify: opts.destTlsVerify, log, defaultTag: null })
    if (target.ref.digest && source.ref.digest !== target.ref.digest)
      throw new BerthError('INVALID_INPUT', `The destination names a digest (${target.ref.digest}) that is not the source's; give the destination a tag, or the same digest.`)
    const result = await copyImage({
      source: source.endpoint,
      sourceRepo: source.ref.repository,
      reference: source.ref.digest ?? source.ref.tag ?? 'latest',
      target: target.endpoint,
      targetRepo: target.ref.repository,
      targetTag: target.ref.tag ?? (target.ref.digest ? null : source.ref.tag),
      platforms,
      resume: new FileResumeStore(join(layoutOf(data).berth, 'copy-resume')),
      onProgress: progressPrinter()
    })
    const { copied, exists, mounted } = result.blobs
    process.stdout.write(
      `Copied ${formatReference(source.ref)} to ${formatReference(target.ref)}${result.platform ? ` (${result.platform})` : ''}: ${result.digest}, ` +
        `${copied} blob${copied === 1 ? '' : 's'} sent (${formatBytes(result.bytes)}), ${exists} already there, ${mounted} mounted, ${result.manifests} manifest${result.manifests === 1 ? '' : 's'}.\n`
    )
    return 0
  } catch (err) {
    process.stderr.write(`berth: ${err instanceof BerthError ? err.message : (err as Error).message}\n`)
    return 1
  }
}

export function addCopyCommand(program: Command): void {
  program
    .command('copy')
    .description('Copy an image between registries and this Berth, without Docker (blobs streamed, digests unchanged).')
    .argument('<src>', 'host[:port]/repo:tag or host/repo@sha256:… (a registry), or repo:tag (this Berth)')
    .argument('<dst>', 'the same forms; the tag defaults to the source’s')
    .addOption(new Option('--src-creds <user:password>', 'credentials for the source registry').argParser(creds))
    .addOption(new Option('--dest-creds <user:password>', 'credentials for the destination registry').argParser(creds))
    .addOption(new Option('--src-tls-verify [bool]', 'false: plain HTTP, or HTTPS with any certificate').argParser(bool).default(true))
    .addOption(new Option('--dest-tls-verify [bool]', 'false: plain HTTP, or HTTPS with any certificate').argParser(bool).default(true))
    .option('--all', 'copy a multi-platform index whole, every platform')
    .option('--platform <os/arch[/variant]>', 'copy only this platform of an index (default: this machine’s)')
    .addOption(new Option('-d, --data <dir>', 'data folder of this Berth').default(defaultDataDir()))
    .addOption(new Option('--log-level <level>', 'log detail on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .addHelpText(
      'after',
      `
Credentials are found as docker finds them: $DOCKER_CONFIG/config.json (or ~/.docker/config.json),
its credHelpers and credsStore. Custom CAs: /etc/containers/certs.d/<host:port>/ca.crt or
/etc/docker/certs.d/<host:port>/ca.crt. A cut copy continues where it stopped when run again.

  berth copy team/app:1.2 registry.example:5000/team/app:1.2
  berth copy ghcr.io/org/tool:3 tools/tool:3 --platform linux/arm64`
    )
    .action(async (src: string, dst: string, opts: CopyOptions) => {
      process.exitCode = await runCopy(src, dst, opts)
    })
}
