import { createHash } from 'node:crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import { startBerth, type RunningBerth } from './berth'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCTET = 'application/octet-stream'
/** The spec's error-code table, plus the legacy TAG_INVALID it says clients MAY meet. */
export const SPEC_CODES = new Set([
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'UNAUTHORIZED',
  'DENIED', 'UNSUPPORTED', 'TOOMANYREQUESTS', 'TAG_INVALID'
])

export const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
export const sha512 = (b: Uint8Array | string) => `sha512:${createHash('sha512').update(b).digest('hex')}`

export let b: RunningBerth
beforeAll(async () => {
  b = await startBerth()
})
afterAll(async () => {
  await b.close()
})

export interface Answer {
  status: number
  headers: Headers
  body: Buffer
  text: string
  location: string | null
  /** The error codes of a JSON error body (checked against the spec's table as they are read). */
  codes: string[]
}

/** Every error code any request in this file got back. */
export const seenCodes = new Set<string>()

export async function call(
  method: string,
  path: string,
  opts: { body?: Uint8Array | string; headers?: Record<string, string>; query?: Record<string, string> } = {}
): Promise<Answer> {
  const url = new URL(path, b.url)
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v)
  const res = await fetch(url, { method, body: opts.body, headers: opts.headers, redirect: 'manual' })
  const body = Buffer.from(await res.arrayBuffer())
  const answer: Answer = { status: res.status, headers: res.headers, body, text: body.toString(), location: res.headers.get('location'), codes: [] }
  if (res.status >= 400 && method !== 'HEAD') {
    // The spec's shape: {"errors":[{"code","message","detail"}]}, as JSON.
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const parsed = JSON.parse(answer.text) as { errors: { code: string; message: unknown; detail: unknown }[] }
    expect(parsed.errors.length).toBeGreaterThan(0)
    for (const e of parsed.errors) {
      expect(Object.keys(e).sort()).toEqual(['code', 'detail', 'message'])
      expect(e.code).toMatch(/^[A-Z_]+$/)
      expect(SPEC_CODES.has(e.code), `${method} ${path} answered code ${e.code}`).toBe(true)
      seenCodes.add(e.code)
    }
    answer.codes = parsed.errors.map((e) => e.code)
  }
  if (method === 'HEAD') expect(body.length).toBe(0)
  return answer
}

export const put = (path: string, body: Uint8Array | string, type: string, query?: Record<string, string>) =>
  call('PUT', path, { body, headers: { 'Content-Type': type }, query })

/** POST then monolithic PUT, the way every setup step of the suite pushes a blob. */
export async function postPut(name: string, bytes: Uint8Array): Promise<Answer> {
  const start = await call('POST', `/v2/${name}/blobs/uploads/`)
  expect(start.status).toBe(202)
  return call('PUT', start.location!, {
    body: bytes,
    headers: { 'Content-Type': OCTET, 'Content-Length': String(bytes.length) },
    query: { digest: sha(bytes) }
  })
}

export const pretty = (o: unknown) => Buffer.from(JSON.stringify(o, null, '\t'))
