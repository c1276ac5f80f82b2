import { createHash, randomBytes, webcrypto } from 'node:crypto'
import type * as X509 from '@peculiar/x509'

/*
 * The X.509 toolkit Berth's CA is built with: @peculiar/x509 on Node's WebCrypto, ECDSA P-256 keys
 * (fast to make, small handshakes, accepted by every TLS client Docker and Kubernetes use).
 */

export type CryptoKey = webcrypto.CryptoKey
export type CryptoKeyPair = webcrypto.CryptoKeyPair
export type X509Certificate = X509.X509Certificate

let loading: Promise<typeof X509> | null = null

/**
 * @peculiar/x509, loaded on first use: with its polyfill it is a tenth of an idle `berth serve`'s
 * memory, and a registry on loopback never makes or reads a certificate.
 */
export function loadX509(): Promise<typeof X509> {
  loading ??= (async () => {
    // It needs the Reflect metadata polyfill before it loads (its tsyringe container).
    await import('reflect-metadata')
    const x509 = await import('@peculiar/x509')
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
    return x509
  })()
  return loading
}

export const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const

export function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify'])
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key)
  return (await loadX509()).PemConverter.encode(der, 'PRIVATE KEY')
}

export async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = (await loadX509()).PemConverter.decodeFirst(pem)
  return webcrypto.subtle.importKey('pkcs8', der, EC_ALGORITHM, false, ['sign'])
}

/**
 * RFC 5280 §4.1.2.2: a positive integer of at most 20 octets, unpredictable (CA/B Forum: ≥ 64 random
 * bits). 16 random bytes with the top bit cleared (so DER never reads it as negative) and the first
 * byte non-zero (so it keeps its length).
 */
export function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0] & 0x7f) | 0x10
  return bytes.toString('hex')
}

/** SHA-256 of the DER, `AB:CD:…` as browsers and `openssl x509 -fingerprint -sha256` print it. */
export function fingerprint(cert: X509Certificate): string {
  return createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex').toUpperCase().match(/../g)!.join(':')
}
