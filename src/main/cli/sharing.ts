import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { Command, Option } from 'commander'
import type { DoctorReport, SharingInfo } from '@shared/model/sharing'
import { AccountName, Password, Role } from '@shared/model/sharing'
import { BerthError } from '@shared/errors'
import { defaultDataDir, defaultTlsDir } from '../config/data-dir'
import { DockerEngine } from '../docker/engine'
import { diagnose, type DockerInfo } from '../doctor/doctor'
import { infoFor } from '../sharing/facts'
import { layoutOf } from '../storage/core/paths'
import { servingProcess } from '../storage/manage'
import { loadOrCreateCa } from '../tls/ca'
import { pullHost } from '../service/registry-host'
import { withFolder } from './service-client'

// `berth users | tls ca | share info | doctor`: sharing the registry, without a window (accounts
// through the same service methods the window calls).

function dataOption(): Option {
  return new Option('-d, --data <dir>', 'data folder whose accounts these are').default(defaultDataDir())
}

/** A password from standard input, as `docker login --password-stdin` reads it: one trailing line break dropped. */
export async function readPasswordStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer))
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
  const parsed = Password.safeParse(text)
  if (!parsed.success) throw new BerthError('INVALID_INPUT', `The password on standard input was refused: ${parsed.error.issues[0].message}`)
  return parsed.data
}

function accountName(value: string): string {
  const parsed = AccountName.safeParse(value)
  if (!parsed.success) throw new BerthError('INVALID_INPUT', parsed.error.issues[0].message)
  return parsed.data
}

function requireStdin(opts: { passwordStdin?: boolean }, example: string): void {
  if (!opts.passwordStdin)
    throw new BerthError('INVALID_INPUT', `Give the password on standard input (it never belongs on a command line): ${example}`)
}

function printSteps(info: SharingInfo): void {
  const out = process.stdout
  out.write(`Registry: ${info.scheme}://${info.address}${info.authRequired ? (info.anonymousPull ? ' (account needed to push; anyone may pull)' : ' (account needed)') : ''}\n`)
  if (info.addresses.length > 1) out.write(`Also reachable as: ${info.addresses.filter((a) => a !== info.address).join(', ')}\n`)
  for (const w of info.warnings) out.write(`\nWARNING: ${w}\n`)
  for (const step of info.steps) {
    out.write(`\n## ${step.title}\n`)
    if (step.note) out.write(`${step.note}\n`)
    for (const c of step.commands) out.write(`${c.replace(/^/gm, '    ')}\n`)
  }
}

export function printDoctor(report: DoctorReport): void {
  const out = process.stdout
  out.write(`${report.ok ? 'OK' : 'PROBLEM'}: this engine ${report.ok ? 'will' : 'will not'} talk to ${report.registry} (${report.transport === 'unreachable' ? 'nothing answers' : report.transport.toUpperCase()})\n`)
  if (report.engine && report.engine.kind !== 'native') out.write(`Engine: ${report.engine.kind} (${report.engine.evidence.join('; ')})\n`)
  if (report.dockerError) out.write(`Docker would say: ${report.dockerError}\n`)
  for (const r of report.reasons) out.write(`  - ${r}\n`)
  for (const fix of report.fixes) {
    out.write(`\nFix: ${fix.title}\n`)
    if (fix.note) out.write(`${fix.note}\n`)
    if (fix.file) out.write(`${fix.file.path} should read:\n${fix.file.content.replace(/^/gm, '    ')}\n`)
    for (const c of fix.commands) out.write(`${c.replace(/^/gm, '    ')}\n`)
  }
}

export function addSharingCommands(program: Command): void {
  const users = program.command('users').description('Accounts of a shared registry (<data>/berth/htpasswd, bcrypt, readable by Distribution).')
  users
    .command('add')
    .description('Add an account; the password comes on standard input.')
    .argument('<name>', 'account name')
    .addOption(new Option('-r, --role <role>', 'pull reads; push also pushes and tags; admin also deletes').choices(Role.options).makeOptionMandatory())
    .option('--password-stdin', 'read the password from standard input')
    .addOption(dataOption())
    .action(async (name: string, opts) => {
      requireStdin(opts, `echo "$PASSWORD" | berth users add ${name} --role ${opts.role} --password-stdin`)
      const password = await readPasswordStdin()
      const account = await withFolder(resolve(opts.data), {}, (call) => call('users.add', { name: accountName(name), role: opts.role, password }))
      process.stdout.write(`Added ${account.name} (${account.role}).\n`)
    })
  users
    .command('list')
    .description('List the accounts and their roles.')
    .option('--json', 'as JSON')
    .addOption(dataOption())
    .action(async (opts) => {
      const list = await withFolder(resolve(opts.data), {}, (call) => call('users.list'))
      if (opts.json) return void process.stdout.write(JSON.stringify(list, null, 2) + '\n')
      if (list.length === 0) return void process.stdout.write('No accounts. Add one with: echo "$PASSWORD" | berth users add <name> --role push --password-stdin\n')
      for (const a of list) process.stdout.write(`${a.name}\t${a.role}${a.roleAssigned ? '' : ' (no role given: pull)'}${a.usable ? '' : '\t(not bcrypt: cannot log in)'}\n`)
    })
  users
    .command('remove')
    .description('Remove an account.')
    .argument('<name>', 'account name')
    .addOption(dataOption())
    .action(async (name: string, opts) => {
      await withFolder(resolve(opts.data), {}, (call) => call('users.remove', { name: accountName(name) }))
      process.stdout.write(`Removed ${name}.\n`)
    })
  users
    .command('passwd')
    .description('Set a new password; it comes on standard input.')
    .argument('<name>', 'account name')
    .option('--password-stdin', 'read the password from standard input')
    .addOption(dataOption())
    .action(async (name: string, opts) => {
      requireStdin(opts, `echo "$PASSWORD" | berth users passwd ${name} --password-stdin`)
      const password = await readPasswordStdin()
      await withFolder(resolve(opts.data), {}, (call) => call('users.passwd', { name: accountName(name), password }))
      process.stdout.write(`Password of ${name} changed.\n`)
    })

  program
    .command('tls')
    .description('Berth\'s local CA.')
    .command('ca')
    .description('Print the CA certificate (PEM) that other machines trust to use the shared registry; made on first use.')
    .action(async () => {
      process.stdout.write((await loadOrCreateCa(defaultTlsDir())).pem)
    })

  program
    .command('share')
    .description('Sharing the registry with other machines.')
    .command('info')
    .description('The exact steps for another machine: trust the CA, log in, pull, push, Swarm, Kubernetes.')
    .option('-H, --host <address>', 'the address it is (or will be) shared on (default: what the running registry uses)')
    .option('-p, --port <port>', 'its port')
    .addOption(new Option('--tls <mode>', 'on or off').choices(['on', 'off']))
    .option('--anonymous-pull', 'pulls without an account')
    .option('--json', 'as JSON')
    .addOption(dataOption())
    .action(async (opts) => {
      const serving = await servingProcess(layoutOf(resolve(opts.data)), { includeSelf: true })
      const host = opts.host ?? serving?.host ?? '0.0.0.0'
      const port = Number(opts.port ?? serving?.port ?? 5000)
      const tls = opts.tls ?? (serving?.scheme === 'http' && serving.host === host ? 'off' : 'on')
      const info = await infoFor(
        { host, port, tls, anonymousPull: opts.anonymousPull ?? serving?.anonymousPull, customCert: serving?.customCert },
        { tlsDir: defaultTlsDir() }
      )
      if (opts.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n')
      else printSteps(info)
    })

  program
    .command('doctor')
    .description('Will the Docker engine talk to the registry at this address? If not: why, and the exact fix. Exit 0 when it will, 1 when not.')
    .option('-r, --registry <host:port>', 'the address as in an image reference (default: the registry serving --data, else localhost:5000)')
    .option('--json', 'verdict, reasons and fixes as JSON')
    .addOption(dataOption())
    .action(async (opts) => {
      const serving = await servingProcess(layoutOf(resolve(opts.data)), { includeSelf: true })
      const registry: string = opts.registry ?? (serving ? pullHost(serving.host, serving.port) : 'localhost:5000')
      const engine = new DockerEngine()
      const docker = await engine.client()
      const info = (await docker.info()) as DockerInfo
      const report = await diagnose({
        registry,
        info,
        endpoint: engine.status.endpoint?.address ?? null,
        platform: process.platform,
        home: process.env.HOME || homedir(),
        berthCa: !serving?.customCert
      })
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
      else printDoctor(report)
      process.exitCode = report.ok ? 0 : 1
    })
}
