import { z } from 'zod'
import { methods, type Api, type MethodName } from '@shared/contract'
import { describeZodIssues, toErrorData, type Envelope } from '@shared/errors'

export function isMethod(name: string): name is MethodName {
  return Object.hasOwn(methods, name)
}

/**
 * The one door to the service for every transport: checks the method exists, validates the input
 * with the contract's schema, calls the service and wraps the outcome in the `{ ok }` envelope.
 */
export async function dispatch(api: Api, name: string, input: unknown): Promise<Envelope<unknown>> {
  if (!isMethod(name)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Berth has no method ${name}.` } }
  const parsed = methods[name].input.safeParse(input === null ? undefined : input)
  if (!parsed.success)
    return { ok: false, error: { code: 'INVALID_INPUT', message: describeZodIssues(parsed.error.issues), detail: parsed.error.issues } }
  try {
    const call = api[name] as (input: unknown) => Promise<unknown>
    return { ok: true, result: await call(parsed.data) }
  } catch (err) {
    return { ok: false, error: toErrorData(err) }
  }
}

/** The contract as JSON Schemas, for `GET /api` (scripts and documentation). */
export function describeContract(events: Record<string, { doc: string; payload: z.ZodType }>) {
  const schema = (s: z.ZodType, io: 'input' | 'output') => {
    try {
      return z.toJSONSchema(s, { io, unrepresentable: 'any' })
    } catch {
      return {}
    }
  }
  return {
    methods: Object.entries(methods).map(([name, m]) => ({ name, doc: m.doc, input: schema(m.input, 'input'), output: schema(m.output, 'output') })),
    events: Object.entries(events).map(([name, e]) => ({ name, doc: e.doc, payload: schema(e.payload, 'output') }))
  }
}
