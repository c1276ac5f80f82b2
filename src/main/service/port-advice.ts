import { execFile } from 'node:child_process'
import { createServer } from 'node:net'

/** Whether `port` can be bound on `host` right now. */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, host, () => s.close(() => resolve(true)))
  })
}

/** The next port after `port` that can be bound (up to 50 further), or null. */
export async function nextFreePort(port: number, host: string): Promise<number | null> {
  for (let p = port + 1; p <= Math.min(65535, port + 50); p++) if (await portFree(p, host)) return p
  return null
}

/** What holds a listening TCP port, as the OS tells (lsof, then ss); null when it will not say. */
export function portHolder(port: number): Promise<string | null> {
  const tryCmd = (cmd: string, args: string[], parse: (out: string) => string | null) =>
    new Promise<string | null>((resolve) => {
      execFile(cmd, args, { timeout: 2000 }, (err, stdout) => resolve(err ? null : parse(stdout)))
    })
  return tryCmd('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], (out) => {
    const pid = /^p(\d+)/m.exec(out)?.[1]
    const command = /^c(.+)$/m.exec(out)?.[1]
    return pid ? `${command ?? 'a process'} (pid ${pid})` : null
  }).then(
    (r) =>
      r ??
      tryCmd('ss', ['-ltnpH', `sport = :${port}`], (out) => {
        const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(out)
        return m ? `${m[1]} (pid ${m[2]})` : null
      })
  )
}

/** One paragraph for "port in use": who holds it, the macOS AirPlay trap, and a free port to use instead. */
export async function portInUseAdvice(port: number, host: string, platform: NodeJS.Platform = process.platform): Promise<{ message: string; holder: string | null; suggestion: number | null }> {
  const [holder, suggestion] = await Promise.all([portHolder(port), nextFreePort(port, host)])
  const parts = [`Port ${port} on ${host} is already in use${holder ? ` by ${holder}` : ''}.`]
  if (platform === 'darwin' && port === 5000 && !holder)
    parts.push('On macOS this is usually the AirPlay Receiver: turn it off in System Settings → General → AirDrop & Handoff, or use another port.')
  if (suggestion) parts.push(`Port ${suggestion} is free: change the registry port in Settings.`)
  return { message: parts.join(' '), holder, suggestion }
}
