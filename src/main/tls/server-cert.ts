import { X509Certificate as NodeCertificate } from 'node:crypto'
import { join } from 'node:path'
import type { CertificateInfo } from '@shared/model/sharing'
import { writeFileAtomic } from '../storage/core/files'
import type { LocalCa } from './ca'
import { readOrNull } from './files'
import type { ShareNames } from './names'
import { EC_ALGORITHM, generateKeys, loadX509, privateKeyPem, randomSerial } from './x509'

/*
 * The registry's server certificate, signed by Berth's CA for every name and address it is shared
 * on. Kept with its key in one file (`<tls>/server.json`, 0600, written atomically, so a key never
 * meets another process's certificate) and issued again when the names change, the CA changed, or
 * fewer than 30 days are left. 397 days is the longest validity Apple platforms accept.
 */

const DAY = 86_400_000
export const SERVER_DAYS = 397
export const RENEW_DAYS = 30

interface Stored {
  names: string[]
  caFingerprint: string
  notAfter: string
  certPem: string
  keyPem: string
}

export interface ServerCertificate {
  certPem: string
  keyPem: string
  info: CertificateInfo
  /** Whether this call issued it (false: the stored one was still right). */
  issued: boolean
}

export const serverCertPath = (dir: string) => join(dir, 'server.json')

export function nameList(names: ShareNames): string[] {
  return [...names.dns, ...names.ips]
}

function sameNames(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((n, i) => n === [...b].sort()[i])
}

/** Why the stored certificate cannot be used any more, or null if it can. */
export function renewalReason(stored: Pick<Stored, 'names' | 'caFingerprint' | 'notAfter'>, wanted: string[], ca: LocalCa, now: Date): string | null {
  if (stored.caFingerprint !== ca.fingerprint) return 'signed by another CA'
  if (!sameNames(stored.names, wanted)) return 'the addresses changed'
  if (new Date(stored.notAfter).getTime() - now.getTime() < RENEW_DAYS * DAY) return `fewer than ${RENEW_DAYS} days left`
  return null
}

async function issue(ca: LocalCa, names: ShareNames, now: Date): Promise<Stored> {
  const x509 = await loadX509()
  const keys = await generateKeys()
  const notAfter = new Date(now.getTime() + SERVER_DAYS * DAY)
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [names.dns.find((n) => n !== 'localhost') ?? names.ips[0] ?? 'localhost'] }, { O: ['Berth'] }],
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // ECDSA keys sign the handshake; keyEncipherment is for RSA key transport only.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      // The subject is not the name clients check: every name is in the SANs (RFC 6125).
      new x509.SubjectAlternativeNameExtension([...names.dns.map((value) => ({ type: 'dns' as const, value })), ...names.ips.map((value) => ({ type: 'ip' as const, value }))], false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false)
    ]
  })
  return {
    names: nameList(names),
    caFingerprint: ca.fingerprint,
    notAfter: notAfter.toISOString(),
    certPem: cert.toString('pem') + '\n',
    keyPem: await privateKeyPem(keys.privateKey)
  }
}

function infoOf(stored: Stored): CertificateInfo {
  return { source: 'berth-ca', names: stored.names, notAfter: stored.notAfter, fingerprint: new NodeCertificate(stored.certPem).fingerprint256 }
}

/** The server certificate for `names`, reusing the stored one while it is right. */
export async function ensureServerCertificate(dir: string, ca: LocalCa, names: ShareNames, now = new Date()): Promise<ServerCertificate> {
  const path = serverCertPath(dir)
  const text = await readOrNull(path)
  let stored: Stored | null
  try {
    stored = text ? (JSON.parse(text) as Stored) : null
  } catch {
    stored = null
  }
  const wanted = nameList(names)
  if (stored && stored.certPem && stored.keyPem && renewalReason(stored, wanted, ca, now) === null)
    return { certPem: stored.certPem, keyPem: stored.keyPem, info: infoOf(stored), issued: false }
  const fresh = await issue(ca, names, now)
  await writeFileAtomic(path, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600 })
  return { certPem: fresh.certPem, keyPem: fresh.keyPem, info: infoOf(fresh), issued: true }
}
