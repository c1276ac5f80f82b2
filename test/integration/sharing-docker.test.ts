import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { tempDir } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { createNetns, HOST_IP, type Netns } from '../helpers/netns'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { berth, serveShared, type SharedServe } from '../helpers/shared-serve'

// This machine's Docker engine and the shared registry: docker login, push, pull with Berth's CA in
// certs.d; a single-node Swarm running a service from it with --with-registry-auth; and the doctor
// for a loopback address (passes) and a plain-HTTP LAN address (fails, with the fix).

const ACCOUNT = { name: 'deployer', password: 'deployer password 1' }
const CERTS_D = '/etc/docker/certs.d'

describeWith({ docker: true, commands: ['ip', 'docker'] }, 'sharing with this machine\'s Docker engine', () => {
  let ns: Netns
  let serve: SharedServe
  let env: NodeJS.ProcessEnv
  let work: string
  let data: string
  let registry: string
  let certsDirExisted = false
  let dockerEnv: NodeJS.ProcessEnv
  const images: string[] = []
  const docker = (args: string[], input?: string) =>
    run('docker', args, { env: dockerEnv, input }).then(
      (stdout) => ({ code: 0, out: stdout }),
      (e: Error) => ({ code: 1, out: e.message })
    )

  beforeAll(async () => {
    work = await tempDir('berth-share-docker-')
    data = join(work, 'data')
    env = { ...process.env, XDG_CONFIG_HOME: join(work, 'config') }
    // docker login writes credentials here, not into root's own ~/.docker.
    dockerEnv = { ...process.env, DOCKER_CONFIG: join(work, 'docker-config') }
    ns = await createNetns(2)
    expect((await berth(['users', 'add', ACCOUNT.name, '--role', 'push', '--password-stdin', '--data', data], env, ACCOUNT.password)).code).toBe(0)
    serve = await serveShared(['--host', HOST_IP, '--port', '0', '--data', data, '--log-level', 'warn'], env)
    registry = `${HOST_IP}:${serve.port}`
    certsDirExisted = Boolean(await stat(CERTS_D).catch(() => null))
  })
  afterAll(async () => {
    for (const image of images) await docker(['rmi', '-f', image])
    // A Swarm task pulls by digest: that reference has no tag to remove it by.
    const byDigest = (await run('docker', ['images', '--digests', '--format', '{{.Repository}}@{{.Digest}}'])).split('\n').filter((r) => registry && r.startsWith(`${registry}/`) && !r.endsWith('@<none>'))
    for (const image of byDigest) await docker(['rmi', image])
    await rm(join(CERTS_D, registry ?? 'none'), { recursive: true, force: true })
    if (!certsDirExisted) await rm(CERTS_D, { recursive: true, force: true })
    await serve?.stop()
    await ns?.remove()
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('is refused by the engine until the CA is in certs.d, and the doctor says why and how', async () => {
    const login = await docker(['login', registry, '--username', ACCOUNT.name, '--password-stdin'], ACCOUNT.password)
    expect(login.code).toBe(1)
    expect(login.out).toMatch(/x509: certificate signed by unknown authority/)
    const doctor = await berth(['doctor', '--registry', registry, '--json'], env)
    expect(doctor.code).toBe(1)
    const report = JSON.parse(doctor.stdout)
    expect(report).toMatchObject({ ok: false, transport: 'https', insecure: false, caInstalled: false, dockerError: 'x509: certificate signed by unknown authority' })
    expect(report.fixes[0].commands).toEqual([`sudo mkdir -p ${CERTS_D}/${registry}`, `berth tls ca | sudo tee ${CERTS_D}/${registry}/ca.crt >/dev/null`])
  })

  it('logs in, pushes and pulls with the CA in /etc/docker/certs.d (no engine restart)', async () => {
    await mkdir(join(CERTS_D, registry), { recursive: true })
    await writeFile(join(CERTS_D, registry, 'ca.crt'), (await berth(['tls', 'ca'], env)).stdout)
    expect((await berth(['doctor', '--registry', registry], env)).code).toBe(0)
    const wrong = await docker(['login', registry, '--username', ACCOUNT.name, '--password-stdin'], 'not the password')
    expect(wrong.code).toBe(1)
    expect(wrong.out).toMatch(/401 Unauthorized/)
    const login = await docker(['login', registry, '--username', ACCOUNT.name, '--password-stdin'], ACCOUNT.password)
    expect(login.out).toMatch(/Login Succeeded/)
    const local = await buildImage('berth-share-app:1', { layers: 2, layerBytes: 64 * 1024, message: 'hello from the shared registry' })
    const ref = `${registry}/team/web:1`
    images.push(local, ref)
    await run('docker', ['tag', local, ref])
    const push = await docker(['push', ref])
    expect(push.out).toMatch(/1: digest: sha256:[0-9a-f]{64}/)
    await run('docker', ['rmi', ref])
    const pull = await docker(['pull', ref])
    expect(pull.out).toMatch(/Downloaded newer image|Image is up to date/)
    expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe('hello from the shared registry')
  })

  it('lets the window push and pull through this engine with Berth\'s own credential, and the doctor contract agrees', async () => {
    const api = async (method: string, body?: unknown) => {
      const res = await fetch(`${serve.app!.url}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${serve.app!.token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
      return (await res.json()) as { ok: boolean; result: Record<string, unknown>; error?: { message: string } }
    }
    const doctor = await api('docker.doctor', { registry })
    expect(doctor.result).toMatchObject({ ok: true, transport: 'https', caInstalled: true })
    const wait = async (id: string) => {
      for (let i = 0; i < 120; i++) {
        const t = ((await api('transfers.list')).result as unknown as { id: string; state: string; error: string | null }[]).find((x) => x.id === id)!
        if (t.state !== 'running' && t.state !== 'queued') return t
        await new Promise((r) => setTimeout(r, 250))
      }
      throw new Error('transfer did not finish')
    }
    const push = await api('docker.push', { image: 'berth-share-app:1', repository: 'team/window', tag: '1' })
    expect(push.ok).toBe(true)
    images.push(push.result.reference as string)
    expect(await wait(push.result.transferId as string)).toMatchObject({ state: 'done', error: null })
    await run('docker', ['rmi', push.result.reference as string])
    const pull = await api('docker.pull', { repository: 'team/window', reference: '1' })
    expect(await wait(pull.result.transferId as string)).toMatchObject({ state: 'done', error: null })
    // The internal credential is nobody's account: the access log calls it by its reserved name.
    const activity = (await api('activity.list', { repository: 'team/window' })).result as unknown as { account: string; method: string; status: number }[]
    expect(activity).toContainEqual(expect.objectContaining({ account: '_berth-window', method: 'PUT', status: 201 }))
  })

  it('runs a Swarm service from the shared registry with --with-registry-auth', async (ctx) => {
    const state = (await run('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim()
    if (state !== 'inactive') {
      console.warn(`*** Swarm part not run: this engine is already in swarm state "${state}" and is left as it is ***`)
      return ctx.skip()
    }
    const gwbridgeBefore = (await run('docker', ['network', 'ls', '--format', '{{.Name}}'])).split('\n').includes('docker_gwbridge')
    const init = await docker(['swarm', 'init', '--advertise-addr', HOST_IP])
    if (init.code !== 0) {
      console.warn(`*** Swarm part not run: docker swarm init --advertise-addr ${HOST_IP} failed: ${init.out.slice(0, 400)} ***`)
      return ctx.skip()
    }
    try {
      const ref = `${registry}/team/web:1`
      // Not on this node any more under that name: the task must pull it, with the login handed over.
      await run('docker', ['rmi', ref])
      const created = await docker(['service', 'create', '--detach', '--with-registry-auth', '--name', 'berth-share-web', '--restart-condition', 'none', ref])
      expect(created.code).toBe(0)
      let current = ''
      for (let i = 0; i < 60 && !/^(Running|Complete)/.test(current); i++) {
        await new Promise((r) => setTimeout(r, 1000))
        current = (await docker(['service', 'ps', 'berth-share-web', '--no-trunc', '--format', '{{.CurrentState}} {{.Error}}'])).out.trim()
        if (/^(Failed|Rejected)/.test(current)) break
      }
      expect(current).toMatch(/^(Running|Complete)/)
      const logs = await docker(['service', 'logs', '--raw', 'berth-share-web'])
      expect(logs.out).toContain('hello from the shared registry')
      expect((await run('docker', ['images', '--digests', '--format', '{{.Repository}}@{{.Digest}}'])).split('\n')).toContainEqual(expect.stringMatching(new RegExp(`^${registry.replace(/\./g, '\\.')}/team/web@sha256:`)))
    } finally {
      await docker(['service', 'rm', 'berth-share-web'])
      await docker(['swarm', 'leave', '--force'])
      if (!gwbridgeBefore) await docker(['network', 'rm', 'docker_gwbridge'])
    }
    expect((await run('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim()).toBe('inactive')
  })

  it('doctor: a loopback address passes (127.0.0.0/8 is insecure by default)', async () => {
    const local = await serveShared(['--port', '0', '--data', join(work, 'loopback'), '--log-level', 'warn', '--no-ui'], env)
    try {
      const doctor = await berth(['doctor', '--registry', `localhost:${local.port}`], env)
      expect(doctor.stdout).toMatch(new RegExp(`^OK: this engine will talk to localhost:${local.port} \\(HTTP\\)`))
      expect(doctor.code).toBe(0)
    } finally {
      await local.stop()
    }
  })

  it('doctor: plain HTTP on the LAN address fails as docker does, with the daemon.json fix', async () => {
    const plain = await serveShared(['--host', HOST_IP, '--port', '0', '--tls', 'off', '--data', join(work, 'plain'), '--log-level', 'warn', '--no-ui'], env)
    try {
      expect(plain.scheme).toBe('http')
      expect(plain.stderr()).toMatch(/passwords and images cross the network in clear/)
      const address = `${HOST_IP}:${plain.port}`
      const pull = await docker(['pull', `${address}/team/web:1`])
      expect(pull.out).toMatch(/http: server gave HTTP response to HTTPS client/)
      const doctor = await berth(['doctor', '--registry', address], env)
      expect(doctor.code).toBe(1)
      expect(doctor.stdout).toMatch(/Docker would say: http: server gave HTTP response to HTTPS client/)
      expect(doctor.stdout).toContain('/etc/docker/daemon.json should read:')
      expect(doctor.stdout).toContain(`"insecure-registries": [\n        "${address}"\n      ]`)
      expect(doctor.stdout).toContain('sudo systemctl restart docker')
      const json = JSON.parse((await berth(['doctor', '--registry', address, '--json'], env)).stdout)
      expect(json).toMatchObject({ ok: false, transport: 'http', insecure: false, dockerError: 'http: server gave HTTP response to HTTPS client' })
      expect(JSON.parse(json.fixes[0].file.content)['insecure-registries']).toContain(address)
    } finally {
      await plain.stop()
    }
  })
})
