import { loadX509, type X509Certificate } from '../tls/x509'

/** Who a signing certificate names, as it claims it (nothing is verified). */
export interface CertificateIdentity {
  /** The SAN e-mail or URI (Fulcio's keyless identity), else the subject DN. */
  signer: string | null
  /** Fulcio's OIDC issuer extension, else the issuer DN. */
  issuer: string | null
  notBefore: string | null
}

// Fulcio's issuer extensions: 57264.1.8 holds a DER UTF8String, the older 57264.1.1 the raw string.
const FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8'
const FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1'

function extensionText(cert: X509Certificate, oid: string): string | null {
  const ext = cert.getExtension(oid)
  if (!ext) return null
  const bytes = Buffer.from(ext.value)
  // A short DER UTF8String: tag 0x0c, one length byte.
  if (bytes[0] === 0x0c && bytes[1] === bytes.length - 2) return bytes.subarray(2).toString('utf8')
  return bytes.toString('utf8')
}

/** Reads a PEM or DER (base64) certificate; null when it is not one. */
export async function certificateIdentity(input: string | Buffer): Promise<CertificateIdentity | null> {
  const x509 = await loadX509()
  let cert: X509Certificate
  try {
    cert = new x509.X509Certificate(typeof input === 'string' && input.includes('-----BEGIN') ? input : Buffer.from(input))
  } catch {
    return null
  }
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension)
  const names = san?.names.items ?? []
  const identity = names.find((n) => n.type === 'email') ?? names.find((n) => n.type === 'url') ?? null
  return {
    signer: identity?.value ?? (cert.subject || null),
    issuer: extensionText(cert, FULCIO_ISSUER_V2) ?? extensionText(cert, FULCIO_ISSUER_V1) ?? (cert.issuer || null),
    notBefore: cert.notBefore.toISOString()
  }
}
