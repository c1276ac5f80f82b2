import { execFile, execFileSync } from 'node:child_process'

/** Runs a command; resolves with stdout, rejects with stderr in the message (so failures say why). */
export function run(cmd: string, args: string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { maxBuffer: 64 << 20, timeout: options.timeoutMs ?? 300_000, env: options.env ?? process.env },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
        else resolve(stdout)
      }
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
