// The contract's names, and nothing else: all the sandboxed preload needs (it bundles this file, not
// the schemas). index.ts checks at compile time, and contract.test.ts at run time, that these lists
// are exactly the keys of `methods` and `events` in api.ts — a method added there must be named here.

export const METHOD_NAMES = [
  'registry.status', 'registry.start', 'registry.stop', 'registry.restart',
  'settings.get', 'settings.update',
  'catalog.repositories', 'catalog.tags', 'catalog.manifest', 'catalog.deleteTag', 'catalog.deleteManifest', 'catalog.retag', 'catalog.pullCommand',
  'docker.status', 'docker.images', 'docker.tag', 'docker.push', 'docker.pull', 'docker.removeImage', 'docker.run',
  'transfers.list', 'transfers.cancel',
  'storage.usage', 'storage.gc', 'storage.deleteRepository', 'storage.retentionPreview', 'storage.retentionApply', 'storage.inspectFolder',
  'storage.open', 'storage.move', 'storage.dockerVolumes', 'storage.openVolume', 'storage.export', 'storage.importPreview', 'storage.import', 'storage.verify',
  'users.list', 'users.add', 'users.remove', 'users.passwd',
  'sharing.ca', 'sharing.interfaces', 'sharing.info', 'docker.doctor', 'activity.list',
  'catalog.deleteTags', 'catalog.untagged', 'catalog.referrers', 'catalog.sbom',
  'policy.list', 'policy.save', 'policy.remove', 'policy.run',
  'remote.list', 'remote.add', 'remote.remove', 'remote.test', 'remote.catalog', 'remote.tags', 'remote.manifest', 'remote.copy', 'remote.mirrorStatus'
] as const

export const EVENT_NAMES = ['registry.status', 'registry.activity', 'catalog.changed', 'docker.status', 'docker.imagesChanged', 'transfer.progress', 'storage.progress', 'activity.entry',
  'policy.changed'] as const

export type MethodName = (typeof METHOD_NAMES)[number]
export type EventName = (typeof EVENT_NAMES)[number]

/** IPC channel names: a prefix keeps Berth's channels apart from anything else. */
export const ipcChannel = {
  method: (name: MethodName) => `berth:${name}`,
  event: (name: EventName) => `berth-event:${name}`
}
