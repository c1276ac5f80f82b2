import { X509Certificate } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Settings } from '@shared/model/registry'
import { infoFor } from './facts'
import { PLAIN_HTTP_WARNING, prepareSharing } from './setup'

const names = { hostname: 'box', interfaces: { eth0: [{ address: '10.212.0.1', family: 'IPv4' as const, internal: false, netmask: '255.255.255.0', mac: '', cidr: null }] } }
const settings = (over: Partial<Settings>): Settings => ({ port: 5000, host: '127.0.0.1', dataDir: '', startOnLaunch: false, startAtLogin: false, transferPath: 'auto', layerEncoding: 'auto', manifestFormat: 'docker', ...over })

describe('what sharing needs', () => {
  it('leaves loopback as it was: no account, no TLS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-share-'))
    const setup = await prepareSharing(settings({ dataDir: dir }), { dataDir: dir, tlsDir: join(dir, 'tls'), log: pino({ level: 'silent' }), names })
    expect(setup.auth).toBeUndefined()
    expect(setup.tls).toBeUndefined()
    expect(setup.status()).toMatchObject({ shared: false, scheme: 'http', authRequired: false })
  })

  it('gives a non-loopback address HTTPS from Berth\'s CA for its names and an account for every request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-share-'))
    const setup = await prepareSharing(settings({ host: '0.0.0.0', dataDir: dir }), { dataDir: dir, tlsDir: join(dir, 'tls'), log: pino({ level: 'silent' }), names })
    expect(setup.auth).toBeTypeOf('function')
    expect(new X509Certificate(setup.tls!.cert).subjectAltName).toContain('IP Address:10.212.0.1')
    const status = setup.status()
    expect(status).toMatchObject({ shared: true, scheme: 'https', authRequired: true, anonymousPull: false, accounts: 0 })
    expect(status.certificate?.names).toEqual(expect.arrayContaining(['box', 'box.local', 'localhost', 'host.docker.internal', '10.212.0.1', '127.0.0.1']))
    expect(status.warnings.join(' ')).toMatch(/No accounts yet/)
    await setup.accounts!.add('alice', 'push', 'alice password')
    expect(setup.status().accounts).toBe(1)
    expect(setup.status().warnings).toEqual([])
    setup.close()
  })

  it('warns that --tls off sends passwords in clear', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-share-'))
    const setup = await prepareSharing(settings({ host: '10.212.0.1', tls: 'off', dataDir: dir }), { dataDir: dir, tlsDir: join(dir, 'tls'), log: pino({ level: 'silent' }), names })
    expect(setup.tls).toBeUndefined()
    expect(setup.auth).toBeTypeOf('function')
    expect(setup.status().warnings).toContain(PLAIN_HTTP_WARNING)
    setup.close()
  })
})

describe('share info: the steps for another machine', () => {
  it('gives the CA, certs.d, login, pull, Swarm and Kubernetes commands for the shared address', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-share-'))
    const info = await infoFor({ host: '10.212.0.1', port: 5443 }, { tlsDir: join(dir, 'tls'), image: { repository: 'team/app', tag: '1.2' }, names })
    expect(info).toMatchObject({ address: '10.212.0.1:5443', scheme: 'https', authRequired: true, shared: true })
    expect(info.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/)
    const all = info.steps.flatMap((s) => s.commands).join('\n')
    for (const line of [
      'sudo cp berth-ca.crt /etc/docker/certs.d/10.212.0.1:5443/ca.crt',
      'sudo cp berth-ca.crt /etc/containers/certs.d/10.212.0.1:5443/ca.crt',
      'ca_file: /etc/rancher/k3s/berth-ca.crt',
      'sudo update-ca-certificates',
      'sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain berth-ca.crt',
      'certutil -addstore -f Root berth-ca.crt',
      'docker login 10.212.0.1:5443',
      'docker pull 10.212.0.1:5443/team/app:1.2',
      'docker service create --with-registry-auth --name web 10.212.0.1:5443/team/app:1.2',
      'kubectl create secret docker-registry berth-registry --docker-server=10.212.0.1:5443',
      'imagePullSecrets:',
      'curl --cacert berth-ca.crt -u <account> https://10.212.0.1:5443/v2/_catalog'
    ])
      expect(all).toContain(line)
  })

  it('for plain HTTP gives the insecure-registries line instead of a CA, and warns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-share-'))
    const info = await infoFor({ host: '10.212.0.1', port: 5000, tls: 'off' }, { tlsDir: join(dir, 'tls'), names })
    expect(info.caPem).toBeNull()
    expect(info.steps.map((s) => s.id)).toContain('docker-insecure')
    expect(info.steps.find((s) => s.id === 'docker-insecure')!.commands[0]).toBe('{ "insecure-registries": ["10.212.0.1:5000"] }')
    expect(info.warnings).toContain(PLAIN_HTTP_WARNING)
  })
})
