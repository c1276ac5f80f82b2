// The window's Content Security Policy, written once: the Electron window gets it from the <meta> tag
// that the build writes into index.html (electron.vite.config.ts), `berth serve` sends it as a header.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'"
].join('; ')

/** Directives a <meta> tag cannot carry (Chromium ignores them there and logs an error): header only. */
export const HEADER_ONLY_CSP = "frame-ancestors 'none'"

/** What `berth serve` sends with the page. */
export const CSP_HEADER = `${CONTENT_SECURITY_POLICY}; ${HEADER_ONLY_CSP}`

/** Where src/renderer/index.html wants the policy. */
export const CSP_PLACEHOLDER = '__BERTH_CSP__'

/** index.html with the policy in place of the placeholder; throws if there is none (the page would go unprotected). */
export function injectCsp(html: string): string {
  if (!html.includes(CSP_PLACEHOLDER)) throw new Error(`index.html has no ${CSP_PLACEHOLDER} for the Content Security Policy`)
  return html.replaceAll(CSP_PLACEHOLDER, CONTENT_SECURITY_POLICY)
}
