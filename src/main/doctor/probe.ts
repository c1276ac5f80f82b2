import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { isIP } from 'node:net'
import { checkServerIdentity, connect, rootCertificates, type PeerCertificate } from 'node:tls'

/*
 * What actually answers at a registry address, seen from this machine: HTTPS (and whether the
 * certificate is trusted by the CAs Docker would use, and names the address) or plain HTTP, or
 * nothing. Docker's own errors follow from that.
 */

export interface ProbeResult {
  transport: 'http' | 'https' | 'unreachable'
  /** HTTPS only: verified against the given CAs and valid for the host name. */
  trusted?: boolean
  /** HTTPS only: the certificate's names. */
  names?: string[]
  /** Why it is not trusted (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`, …). */
  tlsProblem?: string
  /** Why nothing answered. */
  error?: string
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem']

/** Roots Go's crypto/x509 would load on this machine (the system bundle), plus Node's own list. */
export async function systemRoots(): Promise<string[]> {
  for (const path of SYSTEM_BUNDLES) {
    const text = await readFile(path, 'utf8').catch(() => null)
    if (text) return [text]
  }
  return [...rootCertificates]
}

function namesOf(cert: PeerCertificate): string[] {
  return (cert.subjectaltname ?? '')
    .split(/,\s*/)
    .map((n) => n.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean)
}

function tryTls(host: string, port: number, ca: string[], timeoutMs: number): Promise<ProbeResult | { notTls: true; error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, ca, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
    const done = (r: ProbeResult | { notTls: true; error: string }) => {
      socket.destroy()
      resolve(r)
    }
    socket.setTimeout(timeoutMs, () => done({ transport: 'unreachable', error: `no answer within ${timeoutMs / 1000} s` }))
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate()
      const identity = checkServerIdentity(host, cert)
      const problem = !socket.authorized ? String(socket.authorizationError) : identity ? (identity as NodeJS.ErrnoException).code ?? identity.message : undefined
      done({ transport: 'https', trusted: problem === undefined, names: namesOf(cert), tlsProblem: problem })
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'ENOTFOUND' || err.code === 'EADDRNOTAVAIL')
        done({ transport: 'unreachable', error: `${err.code} ${host}:${port}` })
      else done({ notTls: true, error: err.message })
    })
  })
}

function tryHttp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/v2/', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve(false))
    req.end()
  })
}

export async function probeRegistry(host: string, port: number, extraCas: string[], timeoutMs = 3000): Promise<ProbeResult> {
  const ca = [...(await systemRoots()), ...extraCas]
  const tls = await tryTls(host, port, ca, timeoutMs)
  if (!('notTls' in tls)) return tls
  if (await tryHttp(host, port, timeoutMs)) return { transport: 'http' }
  return { transport: 'unreachable', error: tls.error }
}
