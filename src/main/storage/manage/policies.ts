import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { BerthError } from '@shared/errors'
import { Policy, PolicyRun } from '@shared/model/policy'
import { isNotFound, writeFileAtomic } from '../core/files'
import { paths, type Layout } from '../core/paths'

// Storage policies live in the data folder (they are about it, and travel with it): definitions in
// policies.json, the last run of each in policy-runs.json — written by different hands (a person,
// the scheduler), so one never rewrites the other's file. Both are validated when read and
// written atomically.

const PoliciesFile = z.object({ version: z.literal(1), policies: z.array(Policy) })
/** `runs`: the last run of each policy (dry runs too); `ranAt`: when each last really ran (what the schedule counts from). */
const RunsFile = z.object({ version: z.literal(1), runs: z.record(z.string(), PolicyRun), ranAt: z.record(z.string(), z.string()).default({}) })
export type PolicyRuns = z.infer<typeof RunsFile>

async function readJson<T>(file: string, schema: z.ZodType<T>, empty: T): Promise<T> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (isNotFound(err)) return empty
    throw err
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new BerthError('INVALID_INPUT', `${file} is not JSON; fix it or remove it (its policies are lost then).`, { file })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new BerthError('INVALID_INPUT', `${file} is not a valid Berth policies file (${parsed.error.issues[0]?.message}); fix it or remove it.`, { file })
  return parsed.data
}

export async function loadPolicies(layout: Layout): Promise<Policy[]> {
  return (await readJson(paths.policiesFile(layout), PoliciesFile, { version: 1, policies: [] })).policies
}

export async function savePolicies(layout: Layout, policies: Policy[]): Promise<void> {
  await writeFileAtomic(paths.policiesFile(layout), `${JSON.stringify({ version: 1, policies }, null, 2)}\n`)
}

export async function loadPolicyRuns(layout: Layout): Promise<PolicyRuns> {
  return readJson(paths.policyRunsFile(layout), RunsFile, { version: 1, runs: {}, ranAt: {} })
}

export async function savePolicyRuns(layout: Layout, runs: PolicyRuns): Promise<void> {
  await writeFileAtomic(paths.policyRunsFile(layout), `${JSON.stringify(runs, null, 2)}\n`)
}
