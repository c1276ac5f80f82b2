import type { Readable } from 'node:stream'
import { JSONParser } from '@streamparser/json'
import type { SbomPackage } from '@shared/model/insight'
import { arr, at, obj, str, type Json } from './decode'

/*
 * SBOMs can be tens of megabytes: the document is streamed through a JSON tokenizer that hands over
 * only the header fields and one package at a time, and each package is cut down to what the window
 * shows. Memory is bounded by PACKAGES_MAX small records, whatever the file's size.
 */

export const PACKAGES_MAX = 100_000
/** Beyond this the stream is cut (the packages read so far are kept, `truncated` says so). */
export const SBOM_BYTES_MAX = 512 * 1024 * 1024

export interface ParsedSbom {
  format: 'spdx' | 'cyclonedx'
  specVersion: string | null
  name: string | null
  tool: string | null
  created: string | null
  packages: SbomPackage[]
  truncated: boolean
}

// The header fields and package arrays of SPDX and CycloneDX, bare or as an in-toto predicate (BuildKit).
const ROOTS = ['$', '$.predicate']
const PATHS = ROOTS.flatMap((r) => [
  `${r}.spdxVersion`, `${r}.name`, `${r}.creationInfo`, `${r}.packages.*`,
  `${r}.bomFormat`, `${r}.specVersion`, `${r}.metadata`, `${r}.components.*`
])

const NO_ASSERTION = new Set(['NOASSERTION', 'NONE', ''])

function spdxPackage(p: Json): SbomPackage {
  const licenses = [str(p.licenseConcluded), str(p.licenseDeclared)].filter((l): l is string => l !== null && !NO_ASSERTION.has(l))
  const purl = arr(p.externalRefs).map(obj).find((r) => r.referenceType === 'purl')
  const supplier = str(p.supplier)
  return {
    name: str(p.name) ?? '(unnamed)',
    version: str(p.versionInfo),
    licenses: [...new Set(licenses)],
    purl: str(purl?.referenceLocator),
    supplier: supplier && !NO_ASSERTION.has(supplier) ? supplier.replace(/^(Organization|Person):\s*/, '') : null
  }
}

function cyclonedxPackage(c: Json): SbomPackage {
  const licenses = arr(c.licenses)
    .map(obj)
    .map((l) => str(l.expression) ?? str(at(l, 'license', 'id')) ?? str(at(l, 'license', 'name')))
    .filter((l): l is string => l !== null)
  return {
    name: [str(c.group), str(c.name) ?? '(unnamed)'].filter(Boolean).join('/'),
    version: str(c.version),
    licenses: [...new Set(licenses)],
    purl: str(c.purl),
    supplier: str(at(c, 'supplier', 'name')) ?? str(c.publisher) ?? str(c.author)
  }
}

function toolOf(creationInfo: Json, metadata: Json): string | null {
  const creator = arr(creationInfo.creators).find((c) => typeof c === 'string' && c.startsWith('Tool:'))
  if (typeof creator === 'string') return creator.replace(/^Tool:\s*/, '')
  // CycloneDX 1.4: tools is an array; 1.5+: { components: [...] }.
  const tools = [...arr(metadata.tools), ...arr(at(metadata, 'tools', 'components'))].map(obj)
  const t = tools[0]
  return t ? [str(t.name), str(t.version)].filter(Boolean).join(' ') || null : null
}

/** Reads an SPDX or CycloneDX JSON document (or an in-toto statement carrying one) from a stream. */
export function readSbom(stream: Readable, hint: 'spdx' | 'cyclonedx' | null = null): Promise<ParsedSbom> {
  return new Promise((resolve, reject) => {
    const header: Json = {}
    const packages: SbomPackage[] = []
    let seen = { spdx: 0, cyclonedx: 0 }
    let truncated = false
    let bytes = 0
    let settled = false
    const parser = new JSONParser({ paths: PATHS, keepStack: false })
    const finish = () => {
      if (settled) return
      settled = true
      stream.destroy()
      const format = hint ?? (header.spdxVersion || seen.spdx > seen.cyclonedx ? 'spdx' : header.bomFormat || seen.cyclonedx > 0 ? 'cyclonedx' : null)
      if (!format) return reject(new Error('it is neither an SPDX nor a CycloneDX JSON document'))
      resolve({
        format,
        specVersion: str(header.spdxVersion) ?? str(header.specVersion),
        name: str(header.name) ?? str(at(header.metadata, 'component', 'name')),
        tool: toolOf(obj(header.creationInfo), obj(header.metadata)),
        created: str(at(header.creationInfo, 'created')) ?? str(at(header.metadata, 'timestamp')),
        packages,
        truncated
      })
    }
    parser.onValue = ({ value, key, stack }) => {
      const container = stack[stack.length - 1]?.key
      if (typeof key === 'number') {
        if (packages.length >= PACKAGES_MAX) {
          truncated = true
          return
        }
        if (container === 'packages') {
          seen = { ...seen, spdx: seen.spdx + 1 }
          packages.push(spdxPackage(obj(value)))
        } else if (container === 'components') {
          seen = { ...seen, cyclonedx: seen.cyclonedx + 1 }
          packages.push(cyclonedxPackage(obj(value)))
        }
      } else if (typeof key === 'string' && !(key in header)) header[key] = value
    }
    parser.onError = (err) => {
      if (settled) return
      settled = true
      stream.destroy()
      reject(new Error(`it is not valid JSON (${err.message})`))
    }
    stream.on('data', (chunk: Buffer) => {
      if (settled) return
      bytes += chunk.length
      if (bytes > SBOM_BYTES_MAX) {
        truncated = true
        return finish()
      }
      parser.write(chunk)
    })
    stream.on('error', (err) => {
      if (settled) return
      settled = true
      reject(err)
    })
    stream.on('end', () => {
      if (!settled && !parser.isEnded) {
        try {
          parser.end()
        } catch {
          // onError answered already.
        }
      }
      finish()
    })
  })
}

/** Packages matching a filter (name, version, licence, purl; case-insensitive). */
export function filterPackages(packages: readonly SbomPackage[], filter: string | undefined): readonly SbomPackage[] {
  const needle = filter?.trim().toLowerCase()
  if (!needle) return packages
  return packages.filter(
    (p) => p.name.toLowerCase().includes(needle) || p.version?.toLowerCase().includes(needle) || p.purl?.toLowerCase().includes(needle) || p.licenses.some((l) => l.toLowerCase().includes(needle))
  )
}

/** Licences by how many packages name them, most first. */
export function licenceCounts(packages: readonly SbomPackage[], max = 20): { license: string; count: number }[] {
  const counts = new Map<string, number>()
  for (const p of packages) for (const l of p.licenses) counts.set(l, (counts.get(l) ?? 0) + 1)
  return [...counts].map(([license, count]) => ({ license, count })).sort((a, b) => b.count - a.count || a.license.localeCompare(b.license)).slice(0, max)
}
