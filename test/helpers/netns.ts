import { execFile } from 'node:child_process'
import { run } from './run'

/*
 * A second host for the sharing tests: network namespace `berth-share-<n>` joined to this machine
 * by a veth pair, 10.212.0.1/24 on this side and 10.212.0.2/24 inside — these addresses only.
 * Whatever runs inside reaches this machine only at 10.212.0.1. The window's tests use their own
 * pair (VIEWS_NET: `berth-views-<n>`, 10.213.0.1 ↔ 10.213.0.2).
 */

export const HOST_IP = '10.212.0.1'
export const NS_IP = '10.212.0.2'

export interface NetPlan {
  /** Namespace name prefix (`<prefix>-<n>`) and interface prefix (`<ifPrefix><n>h` / `…n`, at most 15 characters). */
  prefix: string
  ifPrefix: string
  hostIp: string
  nsIp: string
}

export const SHARE_NET: NetPlan = { prefix: 'berth-share', ifPrefix: 'bshare', hostIp: HOST_IP, nsIp: NS_IP }
export const VIEWS_NET: NetPlan = { prefix: 'berth-views', ifPrefix: 'bviews', hostIp: '10.213.0.1', nsIp: '10.213.0.2' }

export interface Netns {
  name: string
  /** Runs a command inside the namespace; resolves with code, stdout and stderr (never rejects). */
  exec(cmd: string, args: string[], options?: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }>
  remove(): Promise<void>
}

async function removeLeftovers(name: string, hostIf: string): Promise<void> {
  await run('ip', ['netns', 'delete', name]).catch(() => {})
  await run('ip', ['link', 'delete', hostIf]).catch(() => {})
}

export async function createNetns(n: number, plan: NetPlan = SHARE_NET): Promise<Netns> {
  const name = `${plan.prefix}-${n}`
  const hostIf = `${plan.ifPrefix}${n}h`
  const nsIf = `${plan.ifPrefix}${n}n`
  await removeLeftovers(name, hostIf)
  await run('ip', ['netns', 'add', name])
  await run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf])
  await run('ip', ['link', 'set', nsIf, 'netns', name])
  await run('ip', ['addr', 'add', `${plan.hostIp}/24`, 'dev', hostIf])
  await run('ip', ['link', 'set', hostIf, 'up'])
  await run('ip', ['netns', 'exec', name, 'ip', 'addr', 'add', `${plan.nsIp}/24`, 'dev', nsIf])
  await run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up'])
  await run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'])
  return {
    name,
    exec: (cmd, args, options = {}) =>
      new Promise((resolve) => {
        const child = execFile('ip', ['netns', 'exec', name, cmd, ...args], { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20, env: options.env ?? process.env }, (err, stdout, stderr) => {
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr })
        })
        if (options.input !== undefined) child.stdin?.end(options.input)
      }),
    remove: () => removeLeftovers(name, hostIf)
  }
}
