import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { BerthError } from '@shared/errors'
import type { CertificateInfo } from '@shared/model/sharing'

/** A certificate and key a person brings (`--tls-cert`, `--tls-key`): read, checked to belong together, described. */
export async function loadCustomCertificate(certPath: string, keyPath: string): Promise<{ certPem: string; keyPem: string; info: CertificateInfo }> {
  let certPem: string
  let keyPem: string
  try {
    ;[certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')])
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new BerthError('INVALID_INPUT', `Berth cannot read the certificate or key file (${e.code ?? e.message}: ${e.path ?? certPath}); check --tls-cert and --tls-key.`, { certPath, keyPath })
  }
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certPem)
    if (!cert.checkPrivateKey(createPrivateKey(keyPem)))
      throw new BerthError('INVALID_INPUT', `The key ${keyPath} does not belong to the certificate ${certPath}; give the key the certificate was made for.`)
  } catch (err) {
    if (err instanceof BerthError) throw err
    throw new BerthError('INVALID_INPUT', `The certificate or key is not PEM Berth can read (${(err as Error).message}); give a PEM certificate and its unencrypted PEM key.`, { certPath, keyPath })
  }
  const names = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .map((part) => part.replace(/^(DNS|IP Address):/, ''))
    .filter((n) => n !== '')
  return {
    certPem,
    keyPem,
    info: { source: 'custom', names, notAfter: new Date(cert.validTo).toISOString(), fingerprint: cert.fingerprint256 }
  }
}
