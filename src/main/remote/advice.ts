import { BerthError } from '@shared/errors'

// What went wrong talking to another registry, as one sentence of advice: DNS, refused, TLS, plain
// HTTP, 401, 403. Every message names the registry and what to do; none holds a secret.

const TLS_TRUST = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED'
])

export function connectionAdvice(err: unknown, registry: string): BerthError {
  const e = err as NodeJS.ErrnoException & { reason?: string }
  const code = e.code ?? ''
  const fixTls = `add its CA to /etc/containers/certs.d/${registry}/ca.crt (or /etc/docker/certs.d/${registry}/ca.crt), or turn TLS verification off for it (tls-verify off, --tls-verify=false)`
  if (err instanceof BerthError) return err
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new BerthError('REMOTE_UNREACHABLE', `The registry host ${registry} could not be found (DNS lookup failed); check the address and the network.`, { registry, code })
  if (code === 'ECONNREFUSED')
    return new BerthError('REMOTE_UNREACHABLE', `Nothing answers at ${registry} (connection refused); check that the registry runs and that the port is right.`, { registry, code })
  if (code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new BerthError('REMOTE_UNREACHABLE', `The registry ${registry} could not be reached (${code}); check the network or a firewall, then try again.`, { registry, code })
  if (TLS_TRUST.has(code))
    return new BerthError('REMOTE_TLS', `The certificate of ${registry} is signed by an authority this machine does not trust; ${fixTls}.`, { registry, code })
  if (code === 'CERT_HAS_EXPIRED')
    return new BerthError('REMOTE_TLS', `The certificate of ${registry} has expired; renew it on the registry, or turn TLS verification off for it (--tls-verify=false).`, { registry, code })
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return new BerthError('REMOTE_TLS', `The certificate of ${registry} is for another name (${e.reason ?? 'altname mismatch'}); use the name it was issued for, or turn TLS verification off for it.`, { registry, code })
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(e.message ?? ''))
    return new BerthError('REMOTE_TLS', `${registry} does not speak HTTPS (it may be a plain-HTTP registry); turn TLS verification off for it (--tls-verify=false) to use plain HTTP.`, { registry, code })
  return new BerthError('REMOTE_FAILED', `Talking to ${registry} failed: ${e.message ?? String(err)}.`, { registry, code })
}

/** A registry's error answer, with its own words (from the spec's JSON error body) when it sent some. */
export function statusAdvice(status: number, registry: string, what: string, body?: Buffer): BerthError {
  let said = ''
  try {
    const parsed = JSON.parse(body?.toString('utf8') ?? '') as { errors?: { code?: string; message?: string }[] }
    const first = parsed.errors?.[0]
    if (first) said = ` (${[first.code, first.message].filter(Boolean).join(': ')})`
  } catch {
    // not a spec error body
  }
  if (status === 401)
    return new BerthError('REMOTE_UNAUTHORIZED', `${registry} wants credentials for ${what}${said}: log in with docker login ${registry}, give them with --src-creds/--dest-creds, or save them with the registry in Berth.`, { registry, status })
  if (status === 403)
    return new BerthError('REMOTE_FORBIDDEN', `${registry} refuses ${what}${said}: these credentials lack the permission; ask the registry's administrator for it, or use an account that has it.`, { registry, status })
  if (status === 404) return new BerthError('NOT_FOUND', `${registry} has no ${what}${said}; check the repository, tag or digest.`, { registry, status })
  if (status === 429) return new BerthError('REMOTE_FAILED', `${registry} limits requests and asked Berth to slow down (${what}); wait a while and try again.`, { registry, status })
  return new BerthError('REMOTE_FAILED', `${registry} answered HTTP ${status} to ${what}${said}; try again later, or check the registry's logs.`, { registry, status })
}
