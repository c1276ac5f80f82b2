import type { Logger } from 'pino'
import { openStorage, type Storage } from '../storage'
import { layoutOf } from '../storage/core/paths'
import { servingProcess } from '../storage/manage'
import { RegistryClient } from './client'
import { dockerConfigCredentials, firstOf, fixedCredential, type Credential, type CredentialLookup } from './credentials'
import { RemoteEndpoint, type Endpoint } from './endpoint'
import { LocalEndpoint } from './local-endpoint'
import { parseImageReference, type ImageReference } from './reference'

// Turns a reference into the endpoint a copy talks to: a registry host → the client; a bare
// `repo:tag` → this Berth: its running registry over HTTP when one serves the folder (so its
// process stays the only writer), else the data folder directly through the Storage API.

export interface EndpointOptions {
  data: string
  credential?: Credential
  tlsVerify?: boolean
  credentials?: CredentialLookup
  log?: Logger
  /** An already open storage for the data folder (the app's own). */
  storage?: Storage
}

export interface OpenedEndpoint {
  endpoint: Endpoint
  ref: ImageReference
  /** Where this Berth was reached, for messages. */
  via: 'registry' | 'serving' | 'folder'
}

export async function openEndpoint(text: string, options: EndpointOptions & { defaultTag?: string | null }): Promise<OpenedEndpoint> {
  const ref = parseImageReference(text, options.defaultTag === undefined ? 'latest' : options.defaultTag)
  const lookups = (registry: string) => firstOf(options.credential ? fixedCredential(registry, options.credential) : undefined, options.credentials ?? dockerConfigCredentials())
  if (ref.registry) {
    const client = new RegistryClient({ registry: ref.registry, tlsVerify: options.tlsVerify, credentials: lookups(ref.registry), log: options.log })
    return { endpoint: new RemoteEndpoint(client), ref, via: 'registry' }
  }
  if (!options.storage) {
    const serving = await servingProcess(layoutOf(options.data))
    if (serving) {
      const loopback = ['127.0.0.1', '0.0.0.0', 'localhost', '::', '::1'].includes(serving.host)
      const registry = `${loopback ? '127.0.0.1' : serving.host}:${serving.port}`
      const client = new RegistryClient({ registry, tlsVerify: options.tlsVerify, credentials: lookups(registry), log: options.log })
      return { endpoint: new RemoteEndpoint(client), ref, via: 'serving' }
    }
  }
  const storage = options.storage ?? (await openStorage(options.data))
  return { endpoint: new LocalEndpoint(storage), ref, via: 'folder' }
}
