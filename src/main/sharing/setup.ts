import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { SharingStatus } from '@shared/model/sharing'
import type { Settings } from '@shared/model/registry'
import { AccountStore } from '../accounts/store'
import { createBasicAuth, type AuthHook } from '../registry/auth'
import { LoginThrottle } from '../registry/login-throttle'
import { loadOrCreateCa, type LocalCa } from '../tls/ca'
import { loadCustomCertificate } from '../tls/custom-cert'
import { isLoopback, shareNames, type NameSources } from '../tls/names'
import { ensureServerCertificate } from '../tls/server-cert'
import type { CertificateInfo } from '@shared/model/sharing'

/*
 * What a registry bound to `settings.host` needs to be shared safely. Loopback: nothing, as
 * before (no account, no TLS). Any other address: an account for every request (pulls excepted
 * with anonymousPull) and HTTPS with a certificate from Berth's CA, or the person's own, unless
 * they turn TLS off — then the warning says what that costs.
 */

export const PLAIN_HTTP_WARNING =
  'The registry is shared over plain HTTP: account passwords and images cross the network in clear, readable by anyone on it. Turn TLS on unless this network is yours alone.'

export function noAccountsWarning(anonymousPull: boolean): string {
  return anonymousPull
    ? 'No accounts yet: anyone may pull, nobody can push. Add one with `berth users add <name> --role push --password-stdin`.'
    : 'No accounts yet, so every request is refused. Add one with `berth users add <name> --role push --password-stdin`.'
}

/** Starts with "_", which no account name may (AccountName), so nobody can claim it. */
export const INTERNAL_ACCOUNT = '_berth-window'

export interface SharingOptions {
  dataDir: string
  tlsDir: string
  log: Logger
  onLoginFailure?: (reason: 'bad-credentials' | 'throttled') => void
  /** Where interface addresses and the host name come from (tests). */
  names?: NameSources
}

export interface SharingSetup {
  tls?: { cert: string; key: string }
  auth?: AuthHook
  accounts: AccountStore | null
  /** The credential the window's own engine pushes and pulls with (never written anywhere). */
  internal: { name: string; password: string } | null
  status(): SharingStatus
  /** A certificate issued again (addresses changed, expiry near), or null when the current one is still right. */
  renew(): Promise<{ cert: string; key: string } | null>
  close(): void
}

export async function prepareSharing(settings: Settings, options: SharingOptions): Promise<SharingSetup> {
  if (isLoopback(settings.host)) {
    const status: SharingStatus = { shared: false, scheme: 'http', authRequired: false, anonymousPull: false, accounts: 0, certificate: null, warnings: [] }
    return { accounts: null, internal: null, status: () => status, renew: async () => null, close: () => {} }
  }
  const anonymousPull = settings.anonymousPull ?? false
  const accounts = AccountStore.ofDataDir(options.dataDir)
  await accounts.refresh(0)
  accounts.watch()
  const internal = { name: INTERNAL_ACCOUNT, password: randomBytes(24).toString('base64url') }
  const auth = createBasicAuth({ accounts, realm: 'Berth', anonymousPull, throttle: new LoginThrottle(), onFailure: options.onLoginFailure, internal })

  let certificate: CertificateInfo | null = null
  let tls: { cert: string; key: string } | undefined
  let ca: LocalCa | null = null
  const tlsOn = settings.tls !== 'off'
  if (tlsOn && settings.tlsCert && settings.tlsKey) {
    const custom = await loadCustomCertificate(settings.tlsCert, settings.tlsKey)
    tls = { cert: custom.certPem, key: custom.keyPem }
    certificate = custom.info
  } else if (tlsOn) {
    ca = await loadOrCreateCa(options.tlsDir)
    const issued = await ensureServerCertificate(options.tlsDir, ca, shareNames(settings.host, options.names))
    if (issued.issued) options.log.info({ names: issued.info.names, notAfter: issued.info.notAfter }, 'issued a server certificate from Berth\'s CA')
    tls = { cert: issued.certPem, key: issued.keyPem }
    certificate = issued.info
  } else {
    options.log.warn(PLAIN_HTTP_WARNING)
  }

  const status = (): SharingStatus => {
    // The count below is the last one read; this keeps it fresh for the next call (a stat at most once a second).
    accounts.refresh().catch(() => {})
    const warnings: string[] = []
    if (!tlsOn) warnings.push(PLAIN_HTTP_WARNING)
    if (accounts.usableCount === 0) warnings.push(noAccountsWarning(anonymousPull))
    return { shared: true, scheme: tlsOn ? 'https' : 'http', authRequired: true, anonymousPull, accounts: accounts.usableCount, certificate, warnings }
  }
  if (accounts.usableCount === 0) options.log.warn(noAccountsWarning(anonymousPull))

  return {
    tls,
    auth,
    accounts,
    internal,
    status,
    async renew() {
      if (!ca) return null
      const issued = await ensureServerCertificate(options.tlsDir, ca, shareNames(settings.host, options.names))
      if (!issued.issued) return null
      options.log.info({ names: issued.info.names, notAfter: issued.info.notAfter }, 'server certificate issued again')
      certificate = issued.info
      return { cert: issued.certPem, key: issued.keyPem }
    },
    close() {
      accounts.unwatch()
    }
  }
}
