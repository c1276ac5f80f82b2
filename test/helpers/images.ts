import { mkdir, mkdtemp, rm, symlink, copyFile, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from './run'

export const BASE_IMAGE = 'berth-test/busybox:base'

/**
 * A tiny base image made here (nothing can be pulled): Debian's static busybox and a few applet
 * links, imported into the engine. Idempotent.
 */
export async function ensureBaseImage(): Promise<string> {
  const existing = await run('docker', ['images', '-q', BASE_IMAGE])
  if (existing.trim()) return BASE_IMAGE
  const root = await mkdtemp(join(tmpdir(), 'berth-busybox-'))
  await mkdir(join(root, 'bin'), { recursive: true })
  await copyFile('/bin/busybox', join(root, 'bin', 'busybox'))
  for (const applet of ['sh', 'echo', 'cat', 'ls', 'env', 'true', 'sleep', 'wc', 'sha256sum']) await symlink('busybox', join(root, 'bin', applet))
  const tar = `${root}.tar`
  await run('tar', ['-C', root, '-cf', tar, '.'])
  await run('docker', ['import', '--change', 'CMD ["/bin/sh"]', tar, BASE_IMAGE])
  return BASE_IMAGE
}

/**
 * Builds a multi-layer image FROM the base (or `from`): `layers` files of `layerBytes` random bytes each,
 * and a CMD that prints `message`. Returns the local tag.
 */
export async function buildImage(tag: string, options: { layers?: number; layerBytes?: number; message?: string; from?: string } = {}): Promise<string> {
  await ensureBaseImage()
  const layers = options.layers ?? 2
  const dir = await mkdtemp(join(tmpdir(), 'berth-build-'))
  const lines = [`FROM ${options.from ?? BASE_IMAGE}`]
  for (let i = 0; i < layers; i++) {
    await writeFile(join(dir, `layer${i}.bin`), randomBytes(options.layerBytes ?? 256 * 1024))
    lines.push(`COPY layer${i}.bin /data/layer${i}.bin`)
  }
  await writeFile(join(dir, 'message.txt'), `${options.message ?? 'hello from berth'}\n`)
  lines.push('COPY message.txt /message.txt', 'CMD ["cat", "/message.txt"]')
  await writeFile(join(dir, 'Dockerfile'), lines.join('\n') + '\n')
  try {
    await run('docker', ['build', '-q', '--network', 'none', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } })
  } finally {
    // The build context holds the layer files (up to hundreds of MiB): not left in /tmp.
    await rm(dir, { recursive: true, force: true })
  }
  return tag
}
