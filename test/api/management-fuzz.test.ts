import { rm } from 'node:fs/promises'
import { request } from 'node:http'
import fc from 'fast-check'
import type { z } from 'zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpTransport, type HttpTransport } from '../../src/main/service/http-transport'
import type { Service } from '../../src/main/service/service'
import { METHOD_NAMES, methods, type MethodName } from '../../src/shared/contract'
import { ERROR_CODES } from '../../src/shared/errors'
import { tempDir } from '../helpers/berth'
import { offlineService } from '../helpers/offline-service'

// Property-based fuzz of the management API over HTTP: random method names, random JSON (and
// not-JSON) bodies, and for every contract method random inputs, some shaped like its schema.
// Every answer must be the { ok } envelope with a code from the contract's list — never a 500, a
// stack trace or INTERNAL (a service that threw on input it should have refused) — and the process
// serves on. The Docker engine is looked for at a missing socket, so docker.* reach no engine;
// methods that would stop the registry, move, open, export or import real paths, or change the
// settings get only inputs their schema refuses.

const UNSAFE_WITH_VALID_INPUT = new Set<MethodName>([
  'registry.stop',
  'registry.restart',
  'settings.update',
  'storage.move',
  'storage.open',
  'storage.export',
  'storage.import',
  // Reads only, but a random real folder ("/") would be walked whole.
  'storage.inspectFolder'
])

type Answer = { status: number; body: string }

/** Whether this call would be accepted by a method that must not run with valid input here. */
function runsUnsafely(method: string, text: string): boolean {
  if (!UNSAFE_WITH_VALID_INPUT.has(method as MethodName)) return false
  let input: unknown
  try {
    input = text.trim() === '' ? undefined : JSON.parse(text)
  } catch {
    return false
  }
  return methods[method as MethodName].input.safeParse(input === null ? undefined : input).success
}

function post(port: number, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, body: text }))
    })
    r.on('error', reject)
    r.end(body)
  })
}

/** The keys of an object schema, through optional/default wrappers. */
function shapeKeys(schema: z.ZodType): string[] {
  let s = schema as unknown as { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { innerType?: unknown } }
  for (let i = 0; i < 6 && s; i++) {
    if (s.shape) return Object.keys(s.shape)
    s = (s.unwrap?.() ?? s.def?.innerType) as typeof s
  }
  return []
}

const CODES = new Set<string>(ERROR_CODES)

/** What every answer must be. */
function checkEnvelope(what: string, a: Answer): { ok: boolean; code?: string } {
  expect(a.status, `${what}: ${a.body.slice(0, 300)}`).not.toBe(500)
  expect([200, 400, 404], `${what}: ${a.status}`).toContain(a.status)
  expect(a.body, what).not.toMatch(/\n\s+at [\w.<>]+ \(|node:internal/)
  const body = JSON.parse(a.body) as { ok: unknown; error?: { code: unknown; message: unknown } }
  expect(typeof body.ok, what).toBe('boolean')
  if (body.ok) return { ok: true }
  expect(CODES.has(String(body.error?.code)), `${what}: code ${String(body.error?.code)}`).toBe(true)
  expect(body.error?.code, `${what}: ${String(body.error?.message)}`).not.toBe('INTERNAL')
  expect(typeof body.error?.message).toBe('string')
  return { ok: false, code: String(body.error!.code) }
}

describe('fuzzing the management API', () => {
  let service: Service
  let transport: HttpTransport
  let port: number
  let dataDir: string
  const unhandled: unknown[] = []
  const onUnhandled = (err: unknown) => unhandled.push(err)
  const headers = () => ({ Authorization: `Bearer ${transport.token}`, 'Content-Type': 'application/json' })

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled)
    dataDir = await tempDir('berth-fuzz-api-')
    service = await offlineService(dataDir)
    transport = createHttpTransport({ service, rendererDir: null })
    port = (await transport.listen(0)).port
  })
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled)
    await transport?.close()
    await service?.dispose()
    await rm(dataDir, { recursive: true, force: true })
  })

  const alive = async () => {
    const a = await post(port, '/api/registry.status', headers(), '')
    expect(a.status).toBe(200)
    expect(JSON.parse(a.body)).toMatchObject({ ok: true, result: { state: 'running' } })
  }

  it('random method names, bodies, content types and origins: the envelope, a known code, never a 500; only own-origin JSON is run', { timeout: 60_000 }, async () => {
    const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON']
    const contentType = fc.oneof(
      fc.constantFrom(...JSON_TYPES),
      fc.constantFrom(undefined, 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', ''),
      fc.stringMatching(/^[a-z]{1,10}\/[a-z+.-]{1,16}$/)
    )
    const origin = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('null', 'http://127.0.0.1:1', 'http://localhost', 'https://evil.example'),
      fc.webUrl().map((u) => new URL(u).origin),
      fc.constant('own')
    )
    const site = fc.constantFrom(undefined, 'same-origin', 'none', 'same-site', 'cross-site')
    const name = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom(...METHOD_NAMES).chain((m) => fc.mixedCase(fc.constant(m))),
      fc.tuple(fc.stringMatching(/^[a-zA-Z]{1,12}$/), fc.stringMatching(/^[a-zA-Z]{1,12}$/)).map(([a, b]) => `${a}.${b}`),
      fc.constantFrom('__proto__.toString', 'constructor.prototype', 'hasOwnProperty.call', 'registry.__proto__')
    )
    const body = fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.constant(''), fc.constant('{"a":'))
    await fc.assert(
      fc.asyncProperty(name, body, contentType, origin, site, async (method, text, type, from, fetchSite) => {
        fc.pre(!runsUnsafely(method, text))
        const path = `/api/${encodeURIComponent(method).replace(/%2E/gi, '.')}`
        const sent: Record<string, string> = { Authorization: `Bearer ${transport.token}` }
        if (type !== undefined) sent['Content-Type'] = type
        const own = from === 'own' || from === `http://127.0.0.1:${port}`
        if (from !== undefined) sent.Origin = from === 'own' ? `http://127.0.0.1:${port}` : from
        if (fetchSite !== undefined) sent['Sec-Fetch-Site'] = fetchSite
        let a: Answer
        try {
          a = await post(port, path, sent, text)
        } catch (err) {
          throw new Error(`POST ${path}: ${(err as Error).message}`, { cause: err })
        }
        const what = `POST ${path} ${JSON.stringify(sent)} ${text.slice(0, 60)}`
        const foreign = (from !== undefined && !own) || (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none')
        if (foreign) {
          expect(a.status, what).toBe(403)
          expect(checkEnvelope(what, { ...a, status: 400 })).toEqual({ ok: false, code: 'INVALID_INPUT' })
          return
        }
        const routed = /^\/api\/[a-zA-Z]+\.[a-zA-Z]+$/.test(path)
        if (routed && !JSON_TYPES.includes(type ?? '')) {
          expect(a.status, what).toBe(415)
          expect(checkEnvelope(what, { ...a, status: 400 })).toEqual({ ok: false, code: 'INVALID_INPUT' })
          return
        }
        // A path that is no method name at all is a 404 envelope too.
        const r = checkEnvelope(what, a)
        if (!METHOD_NAMES.includes(method as MethodName)) expect(r.ok).toBe(false)
      }),
      { numRuns: 400 }
    )
    await alive()
    expect(unhandled).toEqual([])
  })

  it('cases the fuzz found, kept as examples: a registry address with a control character is refused as input', async () => {
    for (const method of ['remote.catalog', 'remote.test', 'remote.remove'] as const) {
      const a = await post(port, `/api/${method}`, headers(), JSON.stringify({ registry: '\u0000' }))
      expect(checkEnvelope(method, a).code, method).toBe('INVALID_INPUT')
    }
  })

  it('every contract method with random inputs (some shaped like its schema): the envelope, never INTERNAL', { timeout: 120_000 }, async () => {
    const started = Date.now()
    for (const method of METHOD_NAMES) {
      const schema = methods[method].input as z.ZodType
      const keys = shapeKeys(schema)
      const value = fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.string({ maxLength: 80 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null)
      )
      const shaped = keys.length
        ? fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), value, { maxKeys: keys.length + 1 })
        : fc.constant({})
      const input = fc.oneof(fc.jsonValue({ maxDepth: 3 }), shaped, fc.constant(undefined), fc.constant({}))
      await fc.assert(
        fc.asyncProperty(input, async (given) => {
          const valid = schema.safeParse(given === null ? undefined : given).success
          fc.pre(!runsUnsafely(method, given === undefined ? '' : JSON.stringify(given)))
          const a = await post(port, `/api/${method}`, headers(), given === undefined ? '' : JSON.stringify(given))
          const r = checkEnvelope(`${method} ${JSON.stringify(given)?.slice(0, 200)}`, a)
          if (!valid) expect(r.code, `${method} ${JSON.stringify(given)?.slice(0, 200)}`).toBe('INVALID_INPUT')
        }),
        { numRuns: 40, interruptAfterTimeLimit: 4_000 }
      )
    }
    await alive()
    expect(unhandled).toEqual([])
    expect(service.registry.status().dataDir).toBe(dataDir)
    console.log(`management API fuzz: ${METHOD_NAMES.length} methods × ≤40 inputs in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
})
