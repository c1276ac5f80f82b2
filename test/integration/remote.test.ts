import { afterAll, beforeAll, expect, it } from 'vitest'
import { startBerth, spawnServe, tempDir, type RunningBerth, type ServeProcess } from '../helpers/berth'
import { buildImage } from '../helpers/images'
import { pushMultiArchIndex, nativeArchitecture, type PushedIndex } from '../helpers/multiarch'
import { getManifest, sha256 } from '../helpers/registry-http'
import { berth, credentialHelper, dockerConfigDir, remoteDigest, startHtpasswdDistribution, type AuthDistribution } from '../helpers/remote'
import { describeWith } from '../helpers/require'
import { run } from '../helpers/run'
import { serveApi, waitTransfer } from '../helpers/serve-api'

// berth copy against a real second registry on loopback: Distribution 2.8.2 with accounts
// (auth.htpasswd made by htpasswd -B). Both directions, credentials by flag, from a DOCKER_CONFIG
// file and from a credential helper; byte-identical by digest; docker runs what was copied in.

const IMAGE = 'berth-remote-app:1'
const MESSAGE = 'hello through a team registry'

describeWith({ docker: true, commands: ['docker-registry', 'skopeo', 'htpasswd'] }, 'berth copy with a registry that has accounts', () => {
  let remote: AuthDistribution
  let serve: ServeProcess
  let serveData: string
  const pulled: string[] = []

  beforeAll(async () => {
    await buildImage(IMAGE, { layers: 2, layerBytes: 300 * 1024, message: MESSAGE })
    remote = await startHtpasswdDistribution()
    serveData = await tempDir('berth-remote-serve-')
    serve = await spawnServe(['--data', serveData, '--log-level', 'debug'])
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-daemon:${IMAGE}`, `docker://${serve.host}/team/app:1`])
  })

  afterAll(async () => {
    serve?.proc.kill('SIGTERM')
    await serve?.exited
    await remote?.close()
    for (const image of [IMAGE, ...pulled]) await run('docker', ['rmi', '-f', image]).catch(() => {})
  })

  it('copies from the running Berth to the team registry with --dest-creds, digest unchanged', async () => {
    const local = await getManifest(serve.url, 'team/app', '1')
    expect(local.status).toBe(200)
    const out = await berth(['copy', 'team/app:1', `127.0.0.1:${remote.port}/team/app:1`, '--dest-creds', `${remote.user}:${remote.password}`, '--data', serveData])
    expect(out.stderr + out.stdout).toMatch(/Copied team\/app:1/)
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/5 blobs sent/)
    const copied = await remoteDigest(remote.url, 'team/app', '1', remote.basic)
    expect(copied.status).toBe(200)
    expect(copied.header).toBe(local.digest)
    expect(sha256(copied.bytes)).toBe(local.digest)
    expect(copied.bytes.equals(local.bytes)).toBe(true)

    // Again: every blob is there already, nothing is sent.
    const again = await berth(['copy', 'team/app:1', `127.0.0.1:${remote.port}/team/app:1`, '--dest-creds', `${remote.user}:${remote.password}`, '--data', serveData])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/0 blobs sent \(0 B\), 5 already there/)
  })

  it('mounts blobs across repositories of the same registry instead of sending them', async () => {
    const env = { ...process.env, DOCKER_CONFIG: await dockerConfigDir({ auths: { [`127.0.0.1:${remote.port}`]: { auth: Buffer.from(`${remote.user}:${remote.password}`).toString('base64') } } }) }
    const out = await berth(['copy', `127.0.0.1:${remote.port}/team/app:1`, `127.0.0.1:${remote.port}/team/mounted:1`, '--data', serveData], env)
    expect(out.stderr).not.toMatch(/berth:/)
    expect(out.stdout).toMatch(/0 blobs sent \(0 B\), 0 already there, 5 mounted, 1 manifest/)
    expect((await remoteDigest(remote.url, 'team/mounted', '1', remote.basic)).header).toBe((await getManifest(serve.url, 'team/app', '1')).digest)
  })

  it('says what to do without credentials or with wrong ones', async () => {
    const none = await berth(['copy', 'team/app:1', `127.0.0.1:${remote.port}/team/other:1`, '--data', serveData], { ...process.env, DOCKER_CONFIG: await dockerConfigDir({}) })
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/wants credentials .*docker login 127\.0\.0\.1:\d+/)
    const wrong = await berth(['copy', 'team/app:1', `127.0.0.1:${remote.port}/team/other:1`, '--dest-creds', `${remote.user}:nope`, '--data', serveData])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/credentials/)
    const refused = await berth(['copy', 'team/app:1', `127.0.0.1:1/team/app:1`, '--data', serveData])
    expect(refused.stderr).toMatch(/Nothing answers at 127\.0\.0\.1:1 \(connection refused\)/)
  })

  it('copies from the team registry into a data folder with credentials from DOCKER_CONFIG, and docker runs it', async () => {
    const data = await tempDir('berth-remote-folder-')
    const dockerConfig = await dockerConfigDir({ auths: { [`127.0.0.1:${remote.port}`]: { auth: Buffer.from(`${remote.user}:${remote.password}`).toString('base64') } } })
    const out = await berth(['copy', `127.0.0.1:${remote.port}/team/app:1`, 'copied/app:1', '--data', data], { ...process.env, DOCKER_CONFIG: dockerConfig })
    expect(out.stderr).not.toMatch(/berth:/)
    expect(out.code).toBe(0)
    const theirs = await remoteDigest(remote.url, 'team/app', '1', remote.basic)

    let b: RunningBerth | null = null
    try {
      b = await startBerth({ dataDir: data })
      const ours = await getManifest(b.url, 'copied/app', '1')
      expect(ours.digest).toBe(theirs.header)
      expect(ours.bytes.equals(theirs.bytes)).toBe(true)
      const ref = `${b.host}/copied/app:1`
      pulled.push(ref)
      await run('docker', ['pull', '-q', ref])
      expect((await run('docker', ['run', '--rm', '--network', 'none', ref])).trim()).toBe(MESSAGE)
    } finally {
      await b?.close()
    }
  })

  it('asks a credential helper (credHelpers) with the server on stdin, as the docker CLI does', async () => {
    const data = await tempDir('berth-remote-helper-data-')
    const server = `127.0.0.1:${remote.port}`
    const helper = await credentialHelper('berthtest', server, remote.user, remote.password)
    const dockerConfig = await dockerConfigDir({ credHelpers: { [server]: 'berthtest' } })
    const env = { ...process.env, DOCKER_CONFIG: dockerConfig, PATH: `${helper.pathDir}:${process.env.PATH}` }
    const out = await berth(['copy', `${server}/team/app:1`, 'helped/app:1', '--data', data], env)
    expect(out.stderr).not.toMatch(/berth:/)
    expect(out.code).toBe(0)
    const { readFile } = await import('node:fs/promises')
    expect((await readFile(helper.askedFile, 'utf8')).trim().split('\n')[0]).toBe(server)
  })

  it('copies a multi-platform index whole with --all, or one platform with --platform (then that manifest is tagged)', async () => {
    const b = await startBerth()
    let index: PushedIndex
    try {
      index = await pushMultiArchIndex(b.url, 'multi/app', 'v1', IMAGE)
      const env = { ...process.env, DOCKER_CONFIG: await dockerConfigDir({}) }
      const creds = ['--dest-creds', `${remote.user}:${remote.password}`]
      // The folder of an in-process registry that wrote no serving.json: the copy reads the folder.
      const all = await berth(['copy', 'multi/app:v1', `127.0.0.1:${remote.port}/multi/app:v1`, '--all', ...creds, '--data', b.dataDir], env)
      expect(all.stderr).not.toMatch(/berth:/)
      const whole = await remoteDigest(remote.url, 'multi/app', 'v1', remote.basic)
      expect(whole.header).toBe(index.index)
      expect(whole.bytes.equals(index.indexBytes)).toBe(true)
      for (const child of index.children) expect((await remoteDigest(remote.url, 'multi/app', child.digest, remote.basic)).status).toBe(200)

      const foreign = index.children.find((c) => c.architecture !== nativeArchitecture())!
      const one = await berth(['copy', 'multi/app:v1', `127.0.0.1:${remote.port}/single/app:v1`, '--platform', `linux/${foreign.architecture}`, ...creds, '--data', b.dataDir], env)
      expect(one.stderr).not.toMatch(/berth:/)
      expect((await remoteDigest(remote.url, 'single/app', 'v1', remote.basic)).header).toBe(foreign.digest)
      const other = index.children.find((c) => c.architecture === nativeArchitecture())!
      expect((await remoteDigest(remote.url, 'single/app', other.digest, remote.basic)).status).toBe(404)

      const missing = await berth(['copy', 'multi/app:v1', `127.0.0.1:${remote.port}/single/app:v2`, '--platform', 'linux/s390x', ...creds, '--data', b.dataDir], env)
      expect(missing.code).toBe(1)
      expect(missing.stderr).toMatch(/no image for linux\/s390x; it offers linux\/\w+, linux\/\w+/)
    } finally {
      await b.close()
    }
  })

  it('copies through the API with a password saved in Berth, and no secret ever reaches a log', async () => {
    const api = await serveApi(serve)
    const address = `127.0.0.1:${remote.port}`
    const saved = await api.call<{ id: string; credentials: string; secretPersistence: string }>('remote.add', { address, username: remote.user, password: remote.password })
    expect(saved).toMatchObject({ credentials: 'saved', secretPersistence: 'session' })
    expect(JSON.stringify(await api.call('remote.list'))).not.toContain(remote.password)
    expect(await api.call('remote.test', { registry: address })).toMatchObject({ reachable: true, scheme: 'http', auth: 'basic', catalog: true })

    const { transferId } = await api.call<{ transferId: string }>('remote.copy', { registry: saved.id, direction: 'push', images: [{ repository: 'team/app', reference: '1', targetRepository: 'api/app' }] })
    const pushed = await waitTransfer(api, transferId)
    expect(pushed.error).toBeNull()
    expect(pushed.state).toBe('done')
    const local = await getManifest(serve.url, 'team/app', '1')
    expect((await remoteDigest(remote.url, 'api/app', '1', remote.basic)).header).toBe(local.digest)

    const { transferId: back } = await api.call<{ transferId: string }>('remote.copy', { registry: address, direction: 'pull', images: [{ repository: 'api/app', reference: '1', targetRepository: 'fromapi/app' }] })
    expect((await waitTransfer(api, back)).state).toBe('done')
    expect((await getManifest(serve.url, 'fromapi/app', '1')).digest).toBe(local.digest)
    expect((await api.call<{ items: { name: string }[] }>('remote.catalog', { registry: address })).items.map((i) => i.name)).toContain('api/app')
    const tags = await api.call<{ tag: string; digest: string }[]>('remote.tags', { registry: address, repository: 'api/app' })
    expect(tags).toMatchObject([{ tag: '1', digest: local.digest }])
    const detail = await api.call<{ image: { cmd: string[] } }>('remote.manifest', { registry: address, repository: 'api/app', reference: '1' })
    expect(detail.image.cmd).toEqual(['cat', '/message.txt'])

    const cli = await berth(['copy', 'team/app:1', `${address}/cli/app:1`, '--dest-creds', `${remote.user}:${remote.password}`, '--log-level', 'debug', '--data', serveData])
    expect(cli.code).toBe(0)
    const logs = serve.stderr() + cli.stderr + cli.stdout
    expect(logs).toMatch(/"msg":"remote request"/)
    for (const secret of [remote.password, Buffer.from(`${remote.user}:${remote.password}`).toString('base64'), 'S3cret']) expect(logs).not.toContain(secret)
  })
})
