import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { BERTH_BIN } from './berth'

/** `berth serve` as its own process, resolved once it printed its registry address (and app address unless --no-ui). */
export interface SharedServe {
  proc: ChildProcess
  scheme: string
  port: number
  /** The app port and its token (absent with --no-ui). */
  app: { url: string; token: string } | null
  stdout: () => string
  stderr: () => string
  stop(): Promise<void>
}

export function serveShared(args: string[], env: NodeJS.ProcessEnv): Promise<SharedServe> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BERTH_BIN, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const exited = new Promise<void>((r) => proc.once('exit', () => r()))
    const wantsUi = !args.includes('--no-ui')
    proc.stdout!.on('data', (d) => {
      out += d
      const registry = /listening on (https?):\/\/[^\s]+:(\d+) /.exec(out)
      const app = /Berth app on (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)/.exec(out)
      if (registry && (!wantsUi || app))
        resolve({
          proc,
          scheme: registry[1],
          port: Number(registry[2]),
          app: app ? { url: app[1], token: app[2] } : null,
          stdout: () => out,
          stderr: () => err,
          stop: async () => {
            if (proc.exitCode === null) proc.kill('SIGTERM')
            await exited
          }
        })
    })
    proc.stderr!.on('data', (d) => (err += d))
    void exited.then(() => reject(new Error(`berth serve exited before listening: ${err}`)))
  })
}

/** `berth <args>` with its exit code (never rejects), the password on standard input when given. */
export function berth(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BERTH_BIN, ...args], { env, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr })
    })
    child.stdin?.end(input ?? '')
  })
}
