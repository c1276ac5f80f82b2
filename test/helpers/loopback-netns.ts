import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import type { ApiInput, ApiOutput, MethodName } from '../../src/shared/contract'
import { run } from './run'

// A network namespace with only `lo` up: a process inside it has a localhost of its own, which the
// Docker engine outside (reached over its unix socket, which crosses namespaces) cannot reach — the
// situation of an engine in a VM. Names are `berth-vm-<random>`; no veth, no other address.

export interface Netns {
  name: string
  /** `ip netns exec <name> <cmd> <args>`, resolving with stdout. */
  exec(cmd: string, args: string[], timeoutMs?: number): Promise<string>
  remove(): Promise<void>
}

export function canUseNetns(): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export async function createNetns(): Promise<Netns> {
  const name = `berth-vm-${randomBytes(4).toString('hex')}`
  await run('ip', ['netns', 'add', name])
  await run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'])
  return {
    name,
    exec: (cmd, args, timeoutMs) => run('ip', ['netns', 'exec', name, cmd, ...args], { timeoutMs }),
    remove: () => run('ip', ['netns', 'delete', name]).then(() => {})
  }
}

// One request from inside the namespace, by a Node process living there (node is always at hand).
const REQUEST = `
const [url, token, method, body] = process.argv.slice(1)
fetch(url + '/api/' + method, { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body })
  .then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { process.stderr.write(String(e)); process.exit(1) })
`

/** The management API of a `berth serve` inside `ns`, called from inside it. */
export function apiIn(ns: string, appUrl: string) {
  const { origin, searchParams } = new URL(appUrl)
  const token = searchParams.get('token') ?? ''
  async function envelope(method: MethodName, input: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', REQUEST, origin, token, method, JSON.stringify(input ?? {})], { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${method} in ${ns}: ${stderr || err.message}`)) : resolve(stdout)
      )
    )
    return JSON.parse(out)
  }
  return {
    async call<M extends MethodName>(method: M, input?: ApiInput<M>): Promise<ApiOutput<M>> {
      const r = await envelope(method, input)
      if (!r.ok) throw new Error(`${method} failed: ${r.error?.code}: ${r.error?.message}`)
      return r.result as ApiOutput<M>
    },
    async fail(method: MethodName, input?: unknown): Promise<{ code: string; message: string }> {
      const r = await envelope(method, input)
      if (r.ok) throw new Error(`${method} should have failed`)
      return r.error!
    }
  }
}
