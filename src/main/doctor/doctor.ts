import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DoctorFix, DoctorReport } from '@shared/model/sharing'
import { isLoopback } from '../tls/names'
import { engineConfigFile, insecureConfigChange } from './daemon-json'
import { certsDirFor, isInsecure, splitAddress, type RegistryConfig, type Resolver } from './docker-rules'
import { engineKind, hostAlias, KIND_NAMES, type EngineFacts } from '../docker/engine-location'
import { probeRegistry, type ProbeResult } from './probe'
import { caFix } from './ca-fix'
import { vmFixes } from './vm-fixes'

/*
 * `berth doctor`: will this Docker engine talk to the registry at this address, and if not, why
 * in plain words and the exact fix. Everything comes from the engine's own answer (`info`:
 * RegistryConfig, SecurityOptions, and what betrays a VM), the local certs.d, and what really
 * answers at the address.
 */

export const HTTP_TO_HTTPS = 'http: server gave HTTP response to HTTPS client'
export const UNKNOWN_AUTHORITY = 'x509: certificate signed by unknown authority'

export interface DockerInfo extends Partial<EngineFacts['info']> {
  RegistryConfig?: RegistryConfig
  SecurityOptions?: string[] | null
}

export interface DoctorInput {
  /** `host:port`, as typed in an image reference. */
  registry: string
  info: DockerInfo
  endpoint: string | null
  platform: NodeJS.Platform
  home: string
  /** Whether the registry there uses Berth's CA (the fix then pipes `berth tls ca`). */
  berthCa: boolean
  certsRoot?: string
  resolve?: Resolver
  probe?: (host: string, port: number, cas: string[]) => Promise<ProbeResult>
  readConfig?: (path: string) => Promise<string | null>
}

export async function diagnose(input: DoctorInput): Promise<DoctorReport> {
  const { registry } = input
  const { host, port } = splitAddress(registry)
  const rootless = (input.info.SecurityOptions ?? []).some((o) => o.includes('name=rootless'))
  const engine = engineKind({ info: input.info, endpoint: input.endpoint ?? '', hostPlatform: input.platform })
  const certsRoot = input.certsRoot ?? (rootless ? join(input.home, '.config', 'docker', 'certs.d') : '/etc/docker/certs.d')
  const certs = await certsDirFor(registry, certsRoot)
  const cas = (await Promise.all(certs.caFiles.map((f) => readFile(f, 'utf8').catch(() => '')))).filter(Boolean)
  const probe = await (input.probe ?? probeRegistry)(host, port ?? 443, cas)
  const insecure = await isInsecure(registry, input.info.RegistryConfig ?? {}, input.resolve)
  const configFile = engineConfigFile(engine.kind, { home: input.home, rootless, platform: input.platform })
  const caSource = input.berthCa ? 'berth tls ca' : 'cat your-ca.crt'

  const base = { registry, transport: probe.transport, insecure: insecure.insecure, certsDir: certs.dir, caInstalled: certs.caFiles.length > 0, engine }
  const report = (ok: boolean, dockerError: string | null, reasons: string[], fixes: DoctorFix[]): DoctorReport => ({ ...base, ok, dockerError, reasons, fixes })

  if (!engine.sharesLocalhost && isLoopback(host)) {
    const where = KIND_NAMES[engine.kind]
    return report(
      false,
      `dial tcp ${registry}: connect: connection refused`,
      [
        `This engine runs in ${where} (${engine.evidence.join('; ')}).`,
        `A \`docker push ${registry}/…\` typed in a terminal is made by that engine, from inside ${engine.kind === 'remote' ? 'that host' : 'its VM'}, where ${host} is ${engine.kind === 'remote' ? 'that host' : 'the VM'} itself: it never reaches Berth on this machine.`,
        hostAlias(engine.kind)
          ? `From there this machine is ${hostAlias(engine.kind)}; Docker treats that name as a secure registry, so it needs the insecure-registries line, or TLS with Berth's CA.`
          : 'From there this machine is its network address: share Berth on the network and push to that address.'
      ],
      await vmFixes({ engine, port: port ?? 5000, configFile, readConfig: input.readConfig })
    )
  }

  if (probe.transport === 'unreachable')
    return report(false, `dial tcp ${registry}: ${probe.error ?? 'connect: connection refused'}`, [
      `Nothing answers at ${registry} (${probe.error ?? 'no connection'}): start the registry (berth serve, or Start in the window), check the address and port, and that no firewall is in the way.`
    ], [])

  if (probe.transport === 'http') {
    if (insecure.insecure) return report(true, null, [`${registry} answers plain HTTP, and this engine allows that: ${insecure.why}.`], [])
    const change = await insecureConfigChange(configFile, registry, input.readConfig)
    const reasons = [
      `${registry} answers plain HTTP, but this engine speaks HTTPS to every registry outside its insecure-registries (${insecure.why}).`,
      `Docker's TLS hello then gets an HTTP answer and it stops with "${HTTP_TO_HTTPS}": the registry and Docker disagree about encryption, nothing is broken.`
    ]
    if (change.problem) reasons.push(change.problem)
    return report(false, HTTP_TO_HTTPS, reasons, [
      {
        id: 'insecure-registries',
        title: `Allow plain HTTP to ${registry} in ${configFile.path}`,
        note: `${configFile.apply} The file below keeps every key already in it.`,
        commands: configFile.commands(change.content),
        file: { path: configFile.path, content: change.content }
      },
      {
        id: 'serve-tls',
        title: 'Or serve HTTPS instead',
        note: 'A shared Berth serves HTTPS from its own CA unless started with --tls off; then this engine needs only the CA (no restart).',
        commands: [`berth serve --host ${host} --port ${port}`]
      }
    ])
  }

  // HTTPS
  if (insecure.insecure) return report(true, null, [`${registry} answers HTTPS; this engine does not check its certificate there (${insecure.why}).`], [])
  if (probe.trusted)
    return report(true, null, [`${registry} answers HTTPS with a certificate this engine trusts (${certs.caFiles.length ? `CA in ${certs.dir}` : 'a CA of the system store'}).`], [])
  if (probe.tlsProblem === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = probe.names ?? []
    return report(false, `x509: certificate is valid for ${names.join(', ')}, not ${host}`, [
      `The certificate at ${registry} does not name ${host}, so Docker refuses it even with the CA installed.`
    ], [
      {
        id: 'use-a-name',
        title: 'Use a name the certificate has',
        note: 'Berth names every address it is shared on and issues the certificate again when they change; `berth share info` lists them.',
        commands: names.filter((n) => !isLoopback(n)).map((n) => `docker pull ${n}:${port}/<repository>:<tag>`)
      }
    ])
  }
  return report(false, UNKNOWN_AUTHORITY, [
    `${registry} answers HTTPS with a certificate from a CA this engine does not know${input.berthCa ? ' — Berth\'s own local CA' : ''}.`,
    `Docker checks every registry certificate against the system's CAs and ${certs.dir}/*.crt; finding neither, it stops with "${UNKNOWN_AUTHORITY}". Nothing is wrong with the registry: the engine only has to be told to trust the CA.`
  ], [caFix(engine, registry, certs.dir, caSource, input.platform)])
}
