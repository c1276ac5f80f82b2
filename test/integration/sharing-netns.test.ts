import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { tempDir } from '../helpers/berth'
import { startDistribution } from '../helpers/distribution'
import { ensureBaseImage } from '../helpers/images'
import { createNetns, HOST_IP, NS_IP, type Netns } from '../helpers/netns'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { berth, serveShared, type SharedServe } from '../helpers/shared-serve'

// A second host (a network namespace) uses the shared registry as any private registry: over TLS
// with nothing but Berth's CA file and an account — skopeo and curl inside the namespace.

const PUSHER = { name: 'alice', password: 'alice password 1' }
const READER = { name: 'reader', password: 'reader password 1' }

describeWith({ docker: true, commands: ['ip', 'skopeo', 'curl', 'docker-registry'] }, 'sharing with another host over TLS', () => {
  let ns: Netns
  let serve: SharedServe
  let env: NodeJS.ProcessEnv
  let data: string
  let certDir: string
  let src: string
  let work: string
  let registry: string

  const skopeo = (args: string[]) => ns.exec('skopeo', args)
  const curl = (args: string[]) => ns.exec('curl', ['-sS', ...args])

  beforeAll(async () => {
    work = await tempDir('berth-share-netns-')
    data = join(work, 'data')
    env = { ...process.env, XDG_CONFIG_HOME: join(work, 'config') }
    ns = await createNetns(1)
    expect((await berth(['users', 'add', PUSHER.name, '--role', 'push', '--password-stdin', '--data', data], env, `${PUSHER.password}\n`)).code).toBe(0)
    expect((await berth(['users', 'add', READER.name, '--role', 'pull', '--password-stdin', '--data', data], env, READER.password)).code).toBe(0)
    serve = await serveShared(['--host', HOST_IP, '--port', '0', '--data', data, '--log-level', 'warn'], env)
    registry = `${HOST_IP}:${serve.port}`
    certDir = join(work, 'certs')
    await mkdir(certDir)
    const ca = await berth(['tls', 'ca'], env)
    await writeFile(join(certDir, 'ca.crt'), ca.stdout)
    src = join(work, 'src')
    await run('skopeo', ['copy', '-q', `docker-daemon:${await ensureBaseImage()}`, `oci:${src}:base`])
  })
  afterAll(async () => {
    await serve?.stop()
    await ns?.remove()
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('serves HTTPS from Berth\'s CA on the shared address', () => {
    expect(serve.scheme).toBe('https')
    expect(serve.stdout()).toMatch(/every request needs an account \(2 now/)
  })

  it('takes a push and gives the same image back over TLS, with the CA file and an account (skopeo in the namespace)', async () => {
    const push = await skopeo(['copy', '-q', '--dest-cert-dir', certDir, '--dest-creds', `${PUSHER.name}:${PUSHER.password}`, `oci:${src}:base`, `docker://${registry}/team/app:1`])
    expect(push.stderr).toBe('')
    expect(push.code).toBe(0)
    const pulled = join(work, 'pulled')
    const pull = await skopeo(['copy', '-q', '--src-cert-dir', certDir, '--src-creds', `${READER.name}:${READER.password}`, `docker://${registry}/team/app:1`, `oci:${pulled}:1`])
    expect(pull.code).toBe(0)
    const remote = await skopeo(['inspect', '--cert-dir', certDir, '--creds', `${READER.name}:${READER.password}`, '--format', '{{.Digest}}', `docker://${registry}/team/app:1`])
    const local = await skopeo(['inspect', '--format', '{{.Digest}}', `oci:${pulled}:1`])
    expect(remote.stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(local.stdout.trim()).toBe(remote.stdout.trim())
  })

  it('answers curl over TLS with the CA and an account', async () => {
    const res = await curl(['--fail', '--cacert', join(certDir, 'ca.crt'), '-u', `${READER.name}:${READER.password}`, `https://${registry}/v2/team/app/tags/list`])
    expect(res.code).toBe(0)
    expect(JSON.parse(res.stdout)).toEqual({ name: 'team/app', tags: ['1'] })
  })

  it('fails cleanly without the CA', async () => {
    const res = await skopeo(['inspect', '--creds', `${READER.name}:${READER.password}`, `docker://${registry}/team/app:1`])
    expect(res.code).not.toBe(0)
    expect(res.stderr).toMatch(/x509: certificate signed by unknown authority/)
    const c = await curl(['-u', `${READER.name}:${READER.password}`, `https://${registry}/v2/`])
    expect(c.code).toBe(60)
    expect(c.stderr).toMatch(/SSL certificate problem/)
  })

  it('fails cleanly with a wrong password: 401 and the Basic challenge', async () => {
    const res = await skopeo(['inspect', '--cert-dir', certDir, '--creds', `${READER.name}:not the password`, `docker://${registry}/team/app:1`])
    expect(res.code).not.toBe(0)
    expect(res.stderr).toMatch(/unauthorized: authentication required/)
    const c = await curl(['-i', '--cacert', join(certDir, 'ca.crt'), '-u', `${READER.name}:not the password`, `https://${registry}/v2/`])
    expect(c.stdout).toMatch(/^HTTP\/1\.1 401 Unauthorized/)
    expect(c.stdout).toMatch(/www-authenticate: Basic realm="Berth"/i)
  })

  it('refuses a push from a pull-only account (403 DENIED)', async () => {
    const res = await skopeo(['copy', '-q', '--dest-cert-dir', certDir, '--dest-creds', `${READER.name}:${READER.password}`, `oci:${src}:base`, `docker://${registry}/team/app:2`])
    expect(res.code).not.toBe(0)
    expect(res.stderr).toMatch(/denied: the account reader \(role pull\) may not push here|requested access to the resource is denied/)
    const tags = await curl(['--fail', '--cacert', join(certDir, 'ca.crt'), '-u', `${READER.name}:${READER.password}`, `https://${registry}/v2/team/app/tags/list`])
    expect(JSON.parse(tags.stdout).tags).toEqual(['1'])
  })

  it('picks up an account added while it serves (the file is re-read)', async () => {
    expect((await berth(['users', 'add', 'late', '--role', 'pull', '--password-stdin', '--data', data], env, 'late password 1')).code).toBe(0)
    let status = ''
    for (let i = 0; i < 30 && status !== '200'; i++) {
      status = (await curl(['-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(certDir, 'ca.crt'), '-u', 'late:late password 1', `https://${registry}/v2/`])).stdout
      if (status !== '200') await new Promise((r) => setTimeout(r, 200))
    }
    expect(status).toBe('200')
    expect((await berth(['users', 'remove', 'late', '--data', data], env)).code).toBe(0)
  })

  it('logs who did what: the access log file and activity.list name the account, the client address and the push', async () => {
    await new Promise((r) => setTimeout(r, 300))
    const lines = (await readFile(join(data, 'berth', 'logs', 'access.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    expect(lines).toContainEqual(expect.objectContaining({ account: PUSHER.name, client: NS_IP, method: 'PUT', route: 'manifest', repository: 'team/app', reference: '1', status: 201 }))
    expect(lines).toContainEqual(expect.objectContaining({ account: 'anonymous', client: NS_IP, status: 401 }))
    expect(lines).toContainEqual(expect.objectContaining({ account: READER.name, client: NS_IP, method: 'PUT', route: 'manifest', reference: '2', status: 403 }))
    const text = JSON.stringify(lines)
    for (const p of [PUSHER.password, READER.password]) expect(text).not.toContain(p)
    const res = await fetch(`${serve.app!.url}/api/activity.list`, { method: 'POST', headers: { Authorization: `Bearer ${serve.app!.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ account: PUSHER.name, repository: 'team/app' }) })
    const { result } = (await res.json()) as { result: { account: string; repository: string; status: number }[] }
    expect(result.length).toBeGreaterThan(0)
    expect(result.every((e) => e.account === PUSHER.name && e.repository === 'team/app')).toBe(true)
  })

  it('serves /metrics on the app port in Prometheus text format, behind the token', async () => {
    expect((await fetch(`${serve.app!.url}/metrics`)).status).toBe(401)
    const res = await fetch(`${serve.app!.url}/metrics`, { headers: { Authorization: `Bearer ${serve.app!.token}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const families = new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]))
    const requests = families.get('berth_registry_requests_total')!
    expect(requests.type).toBe('COUNTER')
    const count = (labels: Record<string, string>) => requests.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)).reduce((n, m) => n + Number(m.value), 0)
    expect(count({ route: 'manifest', method: 'PUT', status: '201' })).toBeGreaterThanOrEqual(1)
    expect(count({ route: 'base', status: '401' })).toBeGreaterThanOrEqual(1)
    expect(count({ route: 'manifest', method: 'PUT', status: '403' })).toBeGreaterThanOrEqual(1)
    const failures = families.get('berth_registry_login_failures_total')!
    expect(Number(failures.metrics.find((m) => m.labels?.reason === 'bad-credentials')?.value)).toBeGreaterThanOrEqual(2)
    expect(Number(families.get('berth_registry_received_bytes_total')!.metrics.find((m) => m.labels?.route === 'blob-upload-chunk')?.value ?? families.get('berth_registry_received_bytes_total')!.metrics.reduce((n, m) => n + Number(m.value), 0))).toBeGreaterThan(1000)
    expect(Number(families.get('berth_registry_sent_bytes_total')!.metrics.find((m) => m.labels?.route === 'blob')?.value)).toBeGreaterThan(1000)
    const uploads = families.get('berth_registry_upload_duration_seconds')!
    expect(uploads.type).toBe('HISTOGRAM')
    expect(uploads.metrics.reduce((n, m) => n + Number(m.count), 0)).toBeGreaterThan(0)
    expect(families.get('berth_registry_pull_duration_seconds')!.metrics.reduce((n, m) => n + Number(m.count), 0)).toBeGreaterThan(0)
    expect(Number(families.get('berth_storage_repositories')!.metrics[0].value)).toBe(1)
    expect(Number(families.get('berth_storage_blobs')!.metrics[0].value)).toBeGreaterThanOrEqual(3)
    expect(Number(families.get('berth_storage_bytes')!.metrics[0].value)).toBeGreaterThan(1000)
  })

  it('manages accounts through the contract without ever answering a password', async () => {
    const call = async (method: string, body?: unknown) =>
      (await fetch(`${serve.app!.url}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${serve.app!.token}`, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })).json() as Promise<{ ok: boolean; result?: unknown; error?: { code: string } }>
    const added = await call('users.add', { name: 'ci', role: 'push', password: 'ci password 12' })
    expect(added).toEqual({ ok: true, result: { name: 'ci', role: 'push', roleAssigned: true, usable: true } })
    expect(JSON.stringify(await call('users.list'))).not.toContain('ci password 12')
    expect((await call('users.add', { name: 'short', role: 'pull', password: 'tiny' })).error?.code).toBe('INVALID_INPUT')
    expect(await call('users.passwd', { name: 'ci', password: 'ci password 34' })).toEqual({ ok: true, result: { ok: true } })
    expect(await call('users.remove', { name: 'ci' })).toEqual({ ok: true, result: { ok: true } })
    const ca = (await call('sharing.ca')) as { result: { pem: string } }
    expect(ca.result.pem).toBe(await readFile(join(certDir, 'ca.crt'), 'utf8'))
    const info = (await call('sharing.info')) as { result: { address: string; scheme: string } }
    expect(info.result).toMatchObject({ address: registry, scheme: 'https' })
  })

  it('lets anyone pull, but not push, with --anonymous-pull', async () => {
    const open = await serveShared(['--host', HOST_IP, '--port', '0', '--data', data, '--log-level', 'warn', '--no-ui', '--anonymous-pull'], env)
    try {
      const at = `${HOST_IP}:${open.port}`
      const tags = await curl(['--fail', '--cacert', join(certDir, 'ca.crt'), `https://${at}/v2/team/app/tags/list`])
      expect(JSON.parse(tags.stdout).tags).toEqual(['1'])
      const pulled = await skopeo(['copy', '-q', '--src-cert-dir', certDir, `docker://${at}/team/app:1`, `oci:${join(work, 'anon')}:1`])
      expect(pulled.code).toBe(0)
      const push = await skopeo(['copy', '-q', '--dest-cert-dir', certDir, `oci:${src}:base`, `docker://${at}/team/app:anon`])
      expect(push.code).not.toBe(0)
      expect(push.stderr).toMatch(/unauthorized|authentication required/)
    } finally {
      await open.stop()
    }
  })

  it('shares its accounts with Distribution 2.8: auth.htpasswd on Berth\'s file accepts the same passwords', async () => {
    const dist = await startDistribution(join(work, 'dist-data'), { htpasswd: join(data, 'berth', 'htpasswd') })
    try {
      const auth = (u: string, p: string) => ({ headers: { Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` } })
      expect((await fetch(`${dist.url}/v2/`)).status).toBe(401)
      expect((await fetch(`${dist.url}/v2/`, auth(PUSHER.name, PUSHER.password))).status).toBe(200)
      expect((await fetch(`${dist.url}/v2/`, auth(READER.name, READER.password))).status).toBe(200)
      expect((await fetch(`${dist.url}/v2/`, auth(PUSHER.name, 'wrong'))).status).toBe(401)
      await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--dest-creds', `${PUSHER.name}:${PUSHER.password}`, `oci:${src}:base`, `docker://${dist.host}/team/app:1`])
    } finally {
      await dist.close()
    }
  })
})
