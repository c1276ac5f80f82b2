import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { tempDir } from './berth'

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

export interface RunningDistribution {
  url: string
  host: string
  port: number
  dataDir: string
  pid: number
  close(): Promise<void>
}

/**
 * CNCF Distribution 2.8 (Debian's docker-registry) serving `dataDir`, deletes enabled, on a free
 * port; with `htpasswd`, its `auth.htpasswd` reads that file (Basic auth for every request);
 * `extraConfig` lines (YAML at the top level, e.g. an `auth:` section) are appended.
 */
export async function startDistribution(dataDir: string, options: { htpasswd?: string; extraConfig?: string[]; port?: number } = {}): Promise<RunningDistribution> {
  const port = options.port ?? (await freePort())
  const configDir = await tempDir('berth-distribution-')
  const config = join(configDir, 'config.yml')
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${dataDir}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...(options.htpasswd ? ['auth:', '  htpasswd:', '    realm: distribution', `    path: ${options.htpasswd}`] : []),
      ...(options.extraConfig ?? []),
      ''
    ].join('\n')
  )
  const proc = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr.on('data', (d) => (stderr += d))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`)
    try {
      const res = await fetch(`${url}/v2/`)
      if (res.status === 200 || res.status === 401) break
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    host: `localhost:${port}`,
    port,
    dataDir,
    pid: proc.pid!,
    close: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve()
        proc.once('exit', () => resolve())
        proc.kill('SIGTERM')
      })
  }
}
