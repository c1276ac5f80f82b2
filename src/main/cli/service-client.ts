import type { ApiInput, ApiOutput, MethodName } from '@shared/contract'
import { BerthError } from '@shared/errors'
import type { StorageProgress } from '@shared/model/storage'
import { dispatch } from '../service/dispatch'
import { createService } from '../service/service'
import { inspectFolder } from '../storage/manage'

/** A contract method called as the window calls it (validated input, defaults applied); its error thrown as a BerthError. */
export type CliCall = <M extends MethodName>(method: M, ...input: undefined extends ApiInput<M> ? [input?: ApiInput<M>] : [input: ApiInput<M>]) => Promise<ApiOutput<M>>

export interface FolderOptions {
  /** Refuse a folder without registry data (commands that read or change one never create one by mistake). */
  mustExist?: boolean
  /** Storage progress, as the window receives it. */
  onProgress?: (p: StorageProgress) => void
}

/**
 * The service on a data folder, its registry not started: the command line's door to the same
 * methods the window calls. `fn` runs, then the service is disposed.
 */
export async function withFolder<T>(dir: string, options: FolderOptions, fn: (call: CliCall, dataDir: string) => Promise<T>): Promise<T> {
  const info = await inspectFolder(dir)
  if (options.mustExist && !info.isRegistry)
    throw new BerthError('NOT_FOUND', `${info.dataDir} holds no registry data (no docker/registry/v2 inside); check --data.`)
  const service = createService({ settingsFile: null, defaults: { port: 0, host: '127.0.0.1', dataDir: info.dataDir, startOnLaunch: false, startAtLogin: false } })
  const off = options.onProgress ? service.bus.on('storage.progress', options.onProgress) : () => {}
  const call = (async (method: MethodName, input?: unknown) => {
    const envelope = await dispatch(service.api, method, input)
    if (!envelope.ok) throw BerthError.from(envelope.error)
    return envelope.result
  }) as CliCall
  try {
    return await fn(call, info.dataDir)
  } finally {
    off()
    await service.dispose()
  }
}
