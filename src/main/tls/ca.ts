import { hostname as osHostname } from 'node:os'
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { writeFileAtomic } from '../storage/core/files'
import { createExclusive, ensurePrivateDir, readOrNull } from './files'
import { EC_ALGORITHM, type CryptoKey, fingerprint, generateKeys, importPrivateKey, loadX509, privateKeyPem, randomSerial, type X509Certificate } from './x509'

/*
 * Berth's local certificate authority, one per user: `<tls>/ca.key` (0600) and `<tls>/ca.crt`. It
 * signs only the registry's server certificate; another machine trusts the registry by trusting
 * this one file (`berth tls ca`). A CA may sign, and sign nothing but end-entity certificates
 * (pathLen 0), as RFC 5280 §4.2.1.9 lets it say.
 */

const CA_YEARS = 10
const DAY = 86_400_000

export interface LocalCa {
  cert: X509Certificate
  pem: string
  privateKey: CryptoKey
  fingerprint: string
}

export const caPaths = (dir: string) => ({ key: join(dir, 'ca.key'), cert: join(dir, 'ca.crt') })

async function makeCa(now: Date, host: string): Promise<{ keyPem: string; certPem: string }> {
  const x509 = await loadX509()
  const keys = await generateKeys()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [`Berth local CA (${host})`] }, { O: ['Berth'] }],
    // An hour back: a client whose clock is a little behind still accepts it at once.
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + CA_YEARS * 365 * DAY),
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  return { keyPem: await privateKeyPem(keys.privateKey), certPem: cert.toString('pem') + '\n' }
}

async function parse(keyPem: string, certPem: string): Promise<LocalCa> {
  const cert = new (await loadX509()).X509Certificate(certPem)
  return { cert, pem: cert.toString('pem') + '\n', privateKey: await importPrivateKey(keyPem), fingerprint: fingerprint(cert) }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The CA in `dir`, made on first use. Safe when two processes ask at once (one makes it, the other waits). */
export async function loadOrCreateCa(dir: string, options: { now?: Date; hostname?: string } = {}): Promise<LocalCa> {
  const paths = caPaths(dir)
  await ensurePrivateDir(dir)
  for (let attempt = 0; attempt < 2; attempt++) {
    let key = await readOrNull(paths.key)
    let cert = await readOrNull(paths.cert)
    if (key && cert) return parse(key, cert)
    if (!key) {
      const made = await makeCa(options.now ?? new Date(), options.hostname ?? osHostname())
      if (await createExclusive(paths.key, made.keyPem, 0o600)) {
        await writeFileAtomic(paths.cert, made.certPem, { mode: 0o644 })
        return parse(made.keyPem, made.certPem)
      }
    }
    // Another process is making it: its certificate follows its key within moments.
    for (let i = 0; i < 100 && !cert; i++) {
      await sleep(50)
      cert = await readOrNull(paths.cert)
    }
    key = await readOrNull(paths.key)
    if (key && cert) return parse(key, cert)
    // A key without a certificate for 5 s: a creator that died half-way. Start again.
    await rm(paths.key, { force: true })
  }
  throw new Error(`Berth could not create its CA in ${dir}`)
}

/** The CA certificate (PEM) if it exists, without creating one. */
export async function readCaPem(dir: string): Promise<string | null> {
  return readOrNull(caPaths(dir).cert)
}
