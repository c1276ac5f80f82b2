import { afterAll, beforeAll, expect, it } from 'vitest'
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { getManifest } from '../helpers/registry-http'
import { berth, dockerConfigDir, remoteDigest } from '../helpers/remote'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { startTokenAuthRegistry, type TokenAuthRegistry } from '../helpers/token-server'

// The Bearer flow as Docker Hub, GHCR and Harbor use it, against Distribution 2.8 with auth.token:
// 401 with a challenge → a token from the realm for the scope (Basic credentials) → the request
// again; one token per scope, reused until it expires.

const IMAGE = 'berth-remote-token:1'

describeWith({ docker: true, commands: ['docker-registry', 'skopeo', 'openssl'] }, 'berth copy with a token-auth registry', () => {
  let remote: TokenAuthRegistry
  let local: RunningBerth

  beforeAll(async () => {
    await buildImage(IMAGE, { layers: 1, layerBytes: 200 * 1024, message: 'token flow' })
    remote = await startTokenAuthRegistry()
    local = await startBerth()
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-daemon:${IMAGE}`, `docker://${local.host}/team/app:1`])
  })

  afterAll(async () => {
    await local?.close()
    await remote?.stop()
    await run('docker', ['rmi', '-f', IMAGE]).catch(() => {})
  })

  it('pushes with a token fetched once for the push scope, and pulls back byte-identical', async () => {
    const env = { ...process.env, DOCKER_CONFIG: await dockerConfigDir({}) }
    const target = `127.0.0.1:${remote.port}/team/app:1`
    const out = await berth(['copy', 'team/app:1', target, '--dest-creds', `${remote.user}:${remote.password}`, '--data', local.dataDir], env)
    expect(out.stderr).not.toMatch(/berth:/)
    expect(out.code).toBe(0)
    expect(remote.requests).toEqual([{ scopes: ['repository:team/app:pull,push'], service: 'berth-test-registry', user: remote.user }])

    const ours = await getManifest(local.url, 'team/app', '1')
    const theirs = await remoteDigest(remote.url, 'team/app', '1', `Bearer ${remote.token(['repository:team/app:pull'])}`)
    expect(theirs.header).toBe(ours.digest)
    expect(theirs.bytes.equals(ours.bytes)).toBe(true)

    remote.requests.length = 0
    const back = await tempDir('berth-remote-token-back-')
    const pulled = await berth(['copy', target, 'back/app:1', '--src-creds', `${remote.user}:${remote.password}`, '--data', back], env)
    expect(pulled.stderr).not.toMatch(/berth:/)
    expect(remote.requests.map((r) => r.scopes)).toEqual([['repository:team/app:pull']])
    const b = await startBerth({ dataDir: back })
    try {
      expect((await getManifest(b.url, 'back/app', '1')).digest).toBe(ours.digest)
    } finally {
      await b.close()
    }
  })

  it('says when the token service refuses the credentials or gives no anonymous access', async () => {
    const env = { ...process.env, DOCKER_CONFIG: await dockerConfigDir({}) }
    const wrong = await berth(['copy', `127.0.0.1:${remote.port}/team/app:1`, 'x/app:1', '--src-creds', `${remote.user}:wrong`, '--data', await tempDir()], env)
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/token service of 127\.0\.0\.1:\d+ refused the credentials/)
    const anonymous = await berth(['copy', `127.0.0.1:${remote.port}/team/app:1`, 'x/app:1', '--data', await tempDir()], env)
    expect(anonymous.stderr).toMatch(/gives no anonymous access; log in with docker login/)
  })
})
