import { BerthError } from '@shared/errors'

// Platforms as `os/arch[/variant]`, and which child of an index a platform picks.

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }

/** This machine's platform as images name it (containers are Linux even on a Mac). */
export function nativePlatform(): Platform {
  return { os: 'linux', architecture: NODE_ARCH[process.arch] ?? process.arch }
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, extra] = text.split('/')
  if (!os || !architecture || extra !== undefined) throw new BerthError('INVALID_INPUT', `"${text}" is not a platform; write os/arch or os/arch/variant, e.g. linux/arm64.`)
  return variant ? { os, architecture, variant } : { os, architecture }
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

interface IndexChild {
  digest: string
  mediaType: string
  size: number
  platform?: { os?: string; architecture?: string; variant?: string }
}

/** The child for `want` (variant only compared when asked for), or a BerthError listing what there is. */
export function pickPlatform(children: IndexChild[], want: Platform, where: string): IndexChild {
  const match = children.find(
    (c) => c.platform?.os === want.os && c.platform?.architecture === want.architecture && (!want.variant || c.platform?.variant === want.variant)
  )
  if (match) return match
  const offered = children
    .map((c) => c.platform)
    .filter((p): p is Platform => Boolean(p?.os && p.architecture && p.os !== 'unknown'))
    .map(formatPlatform)
  throw new BerthError('NOT_FOUND', `${where} has no image for ${formatPlatform(want)}; it offers ${offered.join(', ') || 'no platforms'} (use --platform with one of them, or --all).`, { offered })
}
